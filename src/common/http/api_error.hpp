// api_error_response(): the one function that turns an Error into an HTTP response for the
// JSON management APIs (ground control's /api/v1 and /satellite/v1): the status from the
// ErrorCode table and the envelope {"error":{"code","message"}}, code being the table's
// ErrorCodeInfo::name ("NOT_FOUND", "INVALID_ARGUMENT", …). Server-side failures (5xx) send
// the code's default message only; the Error's own message and detail go to
// Response::diagnostic (the log). The OCI /v2/ API has its own envelope
// (registry/http/error_response.hpp). Pure function.
#pragma once

#include "common/http/response.hpp"
#include "common/result.hpp"

namespace common::http {

Response api_error_response(const Error& error);

}  // namespace common::http
