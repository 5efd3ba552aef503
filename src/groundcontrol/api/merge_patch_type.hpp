// The Content-Type a PATCH of the management API takes: a JSON merge patch (RFC 7396,
// application/merge-patch+json), or plain application/json read as one. Pure.
#pragma once

#include "common/http/request.hpp"
#include "common/result.hpp"

namespace groundcontrol::api {

// kUnsupported (405) naming the type to send, unless the request's Content-Type is one.
[[nodiscard]] common::Status check_merge_patch_type(const common::http::Request& request);

}  // namespace groundcontrol::api
