// Fuzz target: registry::http::HtpasswdAuth::parse on arbitrary file text, then the cheap
// credential check (check_cached) on an Authorization header cut from the same bytes.
// Properties: parse either succeeds or fails with kInvalidArgument (never kInternal for
// bad text, never a crash, never a hash computed: it must stay cheap on any input); an
// accepted file answers check_cached with false or nullopt for credentials never verified
// (nothing is in the cache yet, so true would be a bypass).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "registry/http/htpasswd_auth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The text up to the first 0x01 byte is the file; what follows is an Authorization header.
  const auto split = input.find('\x01');
  const auto text = input.substr(0, split);
  const auto header = split == std::string_view::npos ? std::string_view("Basic dXNlcjpwYXNz")
                                                      : input.substr(split + 1);
  auto auth = registry::http::HtpasswdAuth::parse(text, "fuzz");
  if (!auth) {
    FUZZ_CHECK(auth.error().code() == common::ErrorCode::kInvalidArgument);
    return 0;
  }
  const auto cached = (*auth)->check_cached(header);
  FUZZ_CHECK(!cached.has_value() || !*cached);
  return 0;
}
