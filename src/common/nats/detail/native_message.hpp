// Copies between libnats messages and our plain Message/Headers values.
#pragma once

#include <nats/nats.h>

#include <string_view>

#include "common/nats/message.hpp"
#include "common/result.hpp"

namespace common::nats::detail {

// The headers of `msg` (none when it has no header block).
[[nodiscard]] Headers copy_headers(natsMsg* msg);
// Subject, reply, payload and headers of `msg`, as owned strings.
[[nodiscard]] Message copy_message(natsMsg* msg);
// Adds every header to `msg`. Errors: kInvalidArgument (a name libnats refuses).
[[nodiscard]] Status add_headers(natsMsg* msg, const Headers& headers);

}  // namespace common::nats::detail
