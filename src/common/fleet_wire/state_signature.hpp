// Signatures of state artifacts (state_manifest.hpp), made the way cosign signs an image so
// that third-party tools verify them too (`cosign verify --key ground-control.pub …`): the
// cosign "simple signing" payload over the state manifest's digest, with docker-reference =
// the registry's host[:port] + "/" + the repository, signed with ECDSA P-256, stored in the
// signature artifact under the tag `sha256-<hex>.sig` (common/crypto/cosign_signature.hpp).
// Verification trusts a set of keys, so the signing key can be rotated: a signature is
// accepted when any trusted key verifies it, it names exactly the manifest's digest, and
// its identity names this repository at this registry (a genuine signature of another
// satellite's or group's state, copied over, is refused). Errors are kPermissionDenied and
// say which of those failed, for the satellite to report.
// TrustedKeys is a move-only value; the functions are pure. Thread-safety: const calls from
// any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/cosign_key.hpp"
#include "common/digest.hpp"
#include "common/result.hpp"

namespace common::fleet_wire {

// "127.0.0.1:5000" from "http://127.0.0.1:5000" (the registry part of a docker-reference).
// kInvalidArgument when `registry_url` is not http(s)://host[:port] with an optional "/".
[[nodiscard]] Result<std::string> registry_host(std::string_view registry_url);
// "HOST/REPOSITORY": the identity a state signature names.
std::string state_identity(std::string_view host, std::string_view repository);

// One signature: the payload (the layer's blob) and the base64 signature (its annotation).
struct StateSignature {
  std::string payload;
  std::string signature;
};

// `key`'s signature of manifest `manifest_digest` for `identity`. kInvalidArgument for an
// identity that is not HOST/REPOSITORY; kInternal when OpenSSL fails.
[[nodiscard]] Result<StateSignature> sign_state(const crypto::CosignKey& key,
                                                std::string_view identity,
                                                const Digest& manifest_digest);

// The public keys whose signatures are accepted: during a rotation the old and the new.
class TrustedKeys {
 public:
  // Every key of `pems` (PEM "PUBLIC KEY", P-256). kInvalidArgument naming the one that is
  // not such a key, or when there is none.
  [[nodiscard]] static Result<TrustedKeys> from_pems(const std::vector<std::string>& pems);
  const std::vector<crypto::CosignPublicKey>& keys() const noexcept { return keys_; }

 private:
  std::vector<crypto::CosignPublicKey> keys_;
};

// Ok when one of `signatures` is valid: made by one of `trusted`, over a payload naming
// `manifest_digest` and `identity`. kPermissionDenied otherwise, saying why for the most
// telling one: none at all; a trusted key's signature for another digest or identity; or
// signed by none of the trusted keys (which covers altered payloads and signatures).
[[nodiscard]] Status verify_state_signatures(const TrustedKeys& trusted, std::string_view identity,
                                             const Digest& manifest_digest,
                                             const std::vector<StateSignature>& signatures);

}  // namespace common::fleet_wire
