#include "common/digest.hpp"

#include <cassert>

namespace common {
namespace {

constexpr std::size_t hex_length(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::kSha256 ? 64 : 128;
}

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string_view algorithm_name(DigestAlgorithm algorithm) noexcept {
  return algorithm == DigestAlgorithm::kSha256 ? "sha256" : "sha512";
}

Result<Digest> Digest::parse(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return fail(ErrorCode::kDigestInvalid, "invalid digest: missing algorithm",
                std::string(text.substr(0, 140)));
  }
  const auto alg = text.substr(0, colon);
  const auto hex = text.substr(colon + 1);
  DigestAlgorithm algorithm;
  if (alg == "sha256") {
    algorithm = DigestAlgorithm::kSha256;
  } else if (alg == "sha512") {
    algorithm = DigestAlgorithm::kSha512;
  } else {
    return fail(ErrorCode::kDigestInvalid, "unsupported digest algorithm",
                std::string(alg.substr(0, 32)));
  }
  if (hex.size() != hex_length(algorithm) || !is_lower_hex(hex)) {
    return fail(ErrorCode::kDigestInvalid, "invalid digest: bad encoded part",
                std::string(text.substr(0, 140)));
  }
  return Digest(algorithm, std::string(hex));
}

Digest Digest::from_hex(DigestAlgorithm algorithm, std::string hex) {
  assert(hex.size() == hex_length(algorithm) && is_lower_hex(hex));
  return Digest(algorithm, std::move(hex));
}

std::string_view Digest::algorithm_name() const noexcept {
  return common::algorithm_name(algorithm_);
}

std::string Digest::str() const {
  std::string out;
  out.reserve(7 + hex_.size());
  out.append(algorithm_name()).push_back(':');
  out.append(hex_);
  return out;
}

}  // namespace common
