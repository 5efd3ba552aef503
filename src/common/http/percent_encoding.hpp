// Percent-encoding of URL parts (RFC 3986), for servers reading a query and clients
// writing one. Free of Boost, so a client builds without the server's headers. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace common::http {

// Percent-decodes `text` ('+' is kept); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);
// Percent-encodes every byte outside RFC 3986's unreserved set.
std::string percent_encode(std::string_view text);

}  // namespace common::http
