// read_csr_body(): the body of a satellite's certificate request (renewal, its registry's
// serving certificate): `{"csr": PEM}` and nothing else, read strictly as every
// satellite-API body with a JSON object is. Stateless.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <string>

#include "common/http/request.hpp"
#include "common/result.hpp"

namespace groundcontrol::api {

// Largest body read: a CSR (itself at most 16 KiB) with room to spare, as at enrollment.
inline constexpr std::size_t kMaxCsrBodyBytes = 64 * 1024;

// The "csr" member. kInvalidArgument for a body that is not a JSON object, lacks "csr" or
// has another member (naming it); kTooLarge beyond kMaxCsrBodyBytes; read_json_body's errors.
boost::asio::awaitable<common::Result<std::string>> read_csr_body(common::http::Request& request);

}  // namespace groundcontrol::api
