#include "common/fleet_wire/state_signature.hpp"

#include <fmt/format.h>

#include <optional>

#include "common/crypto/cosign_signature.hpp"

namespace common::fleet_wire {
namespace {

std::unexpected<Error> refused(std::string why) {
  return fail(ErrorCode::kPermissionDenied, std::move(why));
}

bool verified_by_any(const TrustedKeys& trusted, const StateSignature& one) {
  for (const auto& key : trusted.keys()) {
    if (crypto::verify_signature(key, one.payload, one.signature)) return true;
  }
  return false;
}

}  // namespace

Result<std::string> registry_host(std::string_view url) {
  std::string_view rest = url;
  for (std::string_view scheme : {"https://", "http://"}) {
    if (rest.starts_with(scheme)) {
      rest.remove_prefix(scheme.size());
      break;
    }
  }
  if (rest.size() == url.size())
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("registry URL \"{}\" is not http(s)://host[:port]", url));
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@") != std::string_view::npos)
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("registry URL \"{}\" is not http(s)://host[:port]", url));
  return std::string(rest);
}

std::string state_identity(std::string_view host, std::string_view repository) {
  return fmt::format("{}/{}", host, repository);
}

Result<StateSignature> sign_state(const crypto::CosignKey& key, std::string_view identity,
                                  const Digest& manifest_digest) {
  auto payload = crypto::simple_signing_payload(identity, manifest_digest);
  if (!payload) return fail(payload.error());
  auto signature = crypto::sign_payload(key, *payload);
  if (!signature) return fail(signature.error());
  return StateSignature{std::move(*payload), std::move(*signature)};
}

Result<TrustedKeys> TrustedKeys::from_pems(const std::vector<std::string>& pems) {
  if (pems.empty()) return fail(ErrorCode::kInvalidArgument, "no trusted state signing key");
  TrustedKeys out;
  for (std::size_t i = 0; i < pems.size(); ++i) {
    auto key = crypto::CosignPublicKey::from_pem(pems[i]);
    if (!key)
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("trusted key {}: {}", i + 1, key.error().message()));
    out.keys_.push_back(std::move(*key));
  }
  return out;
}

Status verify_state_signatures(const TrustedKeys& trusted, std::string_view identity,
                               const Digest& manifest_digest,
                               const std::vector<StateSignature>& signatures) {
  if (signatures.empty())
    return refused(fmt::format("not signed: no signature of {} at tag {}", manifest_digest.str(),
                               crypto::signature_tag(manifest_digest)));
  std::optional<std::string> mismatch;  // a trusted signature of something else
  for (const auto& one : signatures) {
    if (!verified_by_any(trusted, one)) continue;
    auto claim = crypto::parse_simple_signing(one.payload);
    if (!claim) {
      mismatch =
          fmt::format("a trusted signature's payload is invalid: {}", claim.error().message());
    } else if (claim->manifest_digest != manifest_digest) {
      mismatch = fmt::format(
          "signed for {}, not for this content {} (altered content, or a signature moved from "
          "other content)",
          claim->manifest_digest.str(), manifest_digest.str());
    } else if (claim->docker_reference != identity) {
      mismatch = fmt::format("signed for \"{}\", not for \"{}\" (a signature of another state)",
                             claim->docker_reference, identity);
    } else {
      return {};
    }
  }
  if (mismatch) return refused(std::move(*mismatch));
  return refused(
      fmt::format("signed by none of the {} trusted key{} ({} signature{} of {} checked)",
                  trusted.keys().size(), trusted.keys().size() == 1 ? "" : "s", signatures.size(),
                  signatures.size() == 1 ? "" : "s", manifest_digest.str()));
}

}  // namespace common::fleet_wire
