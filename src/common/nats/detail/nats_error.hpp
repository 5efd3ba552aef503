// The one place a libnats status (plus the JetStream error code and libnats's thread-local
// error text) becomes a common::Error, like PosixError for errno.
#pragma once

#include <nats/nats.h>

#include <string_view>

#include "common/result.hpp"

namespace common::nats::detail {

// `what` names the failed operation ("publish to edge-1.event.disk.low"); the message adds
// libnats's own text (nats_GetLastError) so the cause (TLS, auth, permissions) is visible.
[[nodiscard]] Error nats_error(natsStatus status, std::string_view what,
                               jsErrCode js_code = static_cast<jsErrCode>(0));

// Ok when `status` is NATS_OK, else nats_error(...).
[[nodiscard]] Status check(natsStatus status, std::string_view what,
                           jsErrCode js_code = static_cast<jsErrCode>(0));

}  // namespace common::nats::detail
