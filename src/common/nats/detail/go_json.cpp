#include "common/nats/detail/go_json.hpp"

#include <openssl/evp.h>

#include <array>
#include <string_view>

#include "common/nats/detail/nkey_codec.hpp"

namespace common::nats::detail {

Result<std::string> go_json(const nlohmann::ordered_json& value) {
  std::string dumped;
  try {
    dumped = value.dump();
  } catch (const nlohmann::json::type_error& e) {  // 316: invalid UTF-8
    return fail(ErrorCode::kInvalidArgument, "JSON string is not valid UTF-8", e.what());
  }
  // These characters can only occur inside strings, so escaping them everywhere is exact.
  std::string out;
  out.reserve(dumped.size());
  for (std::size_t i = 0; i < dumped.size(); ++i) {
    const char c = dumped[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < dumped.size() && dumped[i + 1] == '\x80' &&
               (dumped[i + 2] == '\xA8' || dumped[i + 2] == '\xA9')) {
      out += dumped[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::string> claims_id(const nlohmann::ordered_json& standard_claims) {
  auto text = go_json(standard_claims);
  if (!text) return fail(text.error());
  std::array<unsigned char, 32> hash{};
  unsigned int size = 0;
  if (EVP_Digest(text->data(), text->size(), hash.data(), &size, EVP_sha512_256(), nullptr) != 1 ||
      size != hash.size()) {
    return fail(ErrorCode::kInternal, "SHA-512/256 failed");
  }
  return base32_encode(std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
}

}  // namespace common::nats::detail
