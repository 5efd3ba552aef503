// ImageSignatureCheck: the satellite's check of an image's cosign signature in the upstream
// (docs/signatures.md, "Image signature policy"). fetch() reads the signature artifact of a
// manifest digest: the manifest tagged `sha256-<hex>.sig` in the image's repository
// (common/crypto/cosign_signature.hpp). verify() accepts it when one of its simple-signing
// layers carries a valid signature by one of the trusted public keys over a payload whose
// critical.image.docker-manifest-digest is exactly that digest. The payload's
// docker-reference is not compared: an image is signed under the registry name its signer
// used (Harbor's, a CI registry's), which is not the satellite's upstream name, and cosign
// itself does not compare it either.
// Ownership: borrows the UpstreamClient (must outlive the check). Thread-safety: every call
// from any thread (the client's requests block).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/cosign_signature.hpp"
#include "common/digest.hpp"
#include "common/result.hpp"
#include "satellite/replication/upstream_client.hpp"

namespace satellite::replication {

// The signature artifact of one manifest as the upstream holds it.
struct SignatureArtifact {
  std::string tag;                               // signature_tag(digest)
  FetchedManifest manifest;                      // verified against its own digest
  common::crypto::SignatureManifest signatures;  // its layers
};

// Reads the payload blob of one signature layer: from the upstream, or from the satellite's
// own registry when a held image is checked again.
using PayloadReader = std::function<common::Result<std::string>(const common::Digest& blob)>;

// What verify() checks, with the payloads from `read_payload`: ok when a layer of
// `manifest` (the signature artifact at `repository`:`tag`) carries a valid signature by one
// of `public_keys` over a payload naming exactly `digest`; errors as verify() says.
[[nodiscard]] common::Status verify_image_signature(
    std::string_view repository, std::string_view tag, const common::Digest& digest,
    const common::crypto::SignatureManifest& manifest, const std::vector<std::string>& public_keys,
    const PayloadReader& read_payload);

class ImageSignatureCheck {
 public:
  explicit ImageSignatureCheck(UpstreamClient& upstream) : upstream_(upstream) {}

  // The signature artifact of `digest` in `repository`; nullopt when the upstream holds
  // none (404). Errors: the upstream's (transport, kPermissionDenied for 401/403), and
  // kManifestInvalid when the manifest at the tag is not a cosign signature manifest.
  [[nodiscard]] common::Result<std::optional<SignatureArtifact>> fetch(
      std::string_view repository, const common::Digest& digest);

  // Ok when `artifact` holds a signature by one of `public_keys` (PEM, P-256) whose payload
  // names exactly `digest`. Otherwise kPermissionDenied saying why: "signed by no trusted
  // key (N signatures)", "signed by a trusted key for another digest sha256:…", or that no
  // layer is a cosign signature; kInvalidArgument when a key is not a P-256 public key or
  // none is given. The upstream's errors while reading a payload blob are returned when no
  // other layer verifies.
  [[nodiscard]] common::Status verify(std::string_view repository, const common::Digest& digest,
                                      const SignatureArtifact& artifact,
                                      const std::vector<std::string>& public_keys);

  // fetch() then verify(); kPermissionDenied "no cosign signature (no tag sha256-….sig)"
  // when the upstream holds none.
  [[nodiscard]] common::Status check(std::string_view repository, const common::Digest& digest,
                                     const std::vector<std::string>& public_keys);

 private:
  UpstreamClient& upstream_;
};

}  // namespace satellite::replication
