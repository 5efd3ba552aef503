// Digest: a validated content digest "<algorithm>:<hex>" (OCI image-spec). Only sha256 and
// sha512 are accepted; the hex part must be lowercase and of the algorithm's length, so a
// Digest can be used in file paths safely. Immutable value type.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common {

enum class DigestAlgorithm { kSha256, kSha512 };

class Digest {
 public:
  // Parses "sha256:<64 hex>" or "sha512:<128 hex>"; kDigestInvalid otherwise.
  [[nodiscard]] static Result<Digest> parse(std::string_view text);
  // Builds from a raw hash; `hex` must already be valid for `algorithm` (asserted).
  static Digest from_hex(DigestAlgorithm algorithm, std::string hex);

  DigestAlgorithm algorithm() const noexcept { return algorithm_; }
  std::string_view algorithm_name() const noexcept;
  const std::string& hex() const noexcept { return hex_; }
  // "<algorithm>:<hex>"
  std::string str() const;

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  Digest(DigestAlgorithm algorithm, std::string hex)
      : algorithm_(algorithm), hex_(std::move(hex)) {}
  DigestAlgorithm algorithm_;
  std::string hex_;
};

std::string_view algorithm_name(DigestAlgorithm algorithm) noexcept;

}  // namespace common

template <>
struct std::hash<common::Digest> {
  std::size_t operator()(const common::Digest& d) const noexcept {
    return std::hash<std::string>{}(d.hex());
  }
};
