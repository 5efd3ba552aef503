// The JSON answers of ground control's APIs: a document with its status, and the error
// envelope (common::http::api_error_response) for every failure. Pure functions.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "common/http/response.hpp"
#include "common/result.hpp"

namespace groundcontrol::api {

common::http::Response json_response(int status, const nlohmann::json& document);
// api_error_response(error).
common::http::Response error_response(const common::Error& error);

}  // namespace groundcontrol::api
