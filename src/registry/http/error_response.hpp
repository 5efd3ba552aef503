// The one function that turns an Error into an HTTP response: the status from the
// ErrorCode table and the distribution-spec's JSON envelope
// {"errors":[{"code","message","detail"}]}, whose code is always one the spec lists (generic
// kinds are renamed to the nearest spec code). Handlers never write error bodies themselves.
#pragma once

#include "common/http/response.hpp"
#include "common/result.hpp"

namespace registry::http {

common::http::Response error_response(const common::Error& error);

}  // namespace registry::http
