// Cosign signatures of OCI manifests (the "simple signing" scheme cosign uses with a key):
// the payload that is signed, signing and verifying it, and the OCI artifact that carries
// the signatures in the registry. The exact bytes follow cosign 2.5 (docs/signatures.md):
//   payload   {"critical":{"identity":{"docker-reference":"HOST/REPO"},"image":{
//             "docker-manifest-digest":"sha256:…"},"type":"cosign container image
//             signature"},"optional":null}   (without the line breaks; `optional` holds
//             the annotations, when there are any, as an object with sorted keys)
//   signature base64 of the DER ECDSA P-256 signature over SHA-256 of the payload bytes
//   artifact  an OCI image manifest tagged signature_tag(digest) in the image's repository:
//             one layer per signature (the payload as blob, media type
//             kSimpleSigningMediaType, the signature in annotation kSignatureAnnotation),
//             and a config whose rootfs.diff_ids list the payload digests.
// No I/O: pushing and fetching the blobs and manifests is the caller's. Strings are JSON
// escaped as nlohmann does, which differs from Go's only for <, > and & (Go writes \u003c…):
// verification reads the bytes as stored, so this matters only for byte comparisons.
// Pure functions and value types. Thread-safety: as any value type.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/crypto/cosign_key.hpp"
#include "common/digest.hpp"
#include "common/result.hpp"

namespace common::crypto {

inline constexpr std::string_view kSimpleSigningType = "cosign container image signature";
inline constexpr std::string_view kSimpleSigningMediaType =
    "application/vnd.dev.cosign.simplesigning.v1+json";
inline constexpr std::string_view kSignatureAnnotation = "dev.cosignproject.cosign/signature";
inline constexpr std::string_view kOciManifestMediaType =
    "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciConfigMediaType = "application/vnd.oci.image.config.v1+json";

// The payload's `optional` member: cosign's -a key=value annotations. Sorted, as Go
// marshals a map.
using SigningAnnotations = std::map<std::string, std::string>;

// What a payload asserts: this repository's manifest with this digest.
struct SimpleSigning {
  std::string docker_reference;  // "HOST/REPO", no tag, no digest
  Digest manifest_digest;
  SigningAnnotations annotations;  // string members of `optional`; others as their JSON text
};

// The payload bytes for `docker_reference` ("HOST[:PORT]/REPO": a registry host, then a
// repository name as the distribution spec allows it; no tag, no digest) and
// `manifest_digest`, with `annotations` in `optional` (null when there are none).
// kInvalidArgument when `docker_reference` is not of that form.
[[nodiscard]] Result<std::string> simple_signing_payload(
    std::string_view docker_reference, const Digest& manifest_digest,
    const SigningAnnotations& annotations = {});

// Largest payload parse_simple_signing() reads (cosign's are a few hundred bytes).
inline constexpr std::size_t kMaxPayloadBytes = 64 * 1024;

// What `payload` asserts. kInvalidArgument when it is not JSON, is larger than
// kMaxPayloadBytes, lacks critical.identity.docker-reference or a valid
// critical.image.docker-manifest-digest, or its critical.type is not kSimpleSigningType.
// It does not check a signature: verify_signature() first, then trust what this returns.
[[nodiscard]] Result<SimpleSigning> parse_simple_signing(std::string_view payload);

// base64 of `key`'s signature over `payload`: the value of kSignatureAnnotation.
// kInternal when OpenSSL fails.
[[nodiscard]] Result<std::string> sign_payload(const CosignKey& key, std::string_view payload);

// Ok when `signature_base64` is `key`'s valid signature over exactly `payload`.
// kPermissionDenied when it is not: not base64, not a DER ECDSA signature, or one made over
// other bytes or by another key. kInternal when OpenSSL fails.
[[nodiscard]] Status verify_signature(const CosignPublicKey& key, std::string_view payload,
                                      std::string_view signature_base64);
// As above with the key given as PEM; kInvalidArgument when `public_key_pem` is not a P-256
// public key (CosignPublicKey::from_pem).
[[nodiscard]] Status verify_signature(std::string_view public_key_pem, std::string_view payload,
                                      std::string_view signature_base64);

// "sha256-<hex>.sig": the tag under which the signatures of `manifest_digest` live.
std::string signature_tag(const Digest& manifest_digest);

// One layer (descriptor) of a signature manifest.
struct SignatureLayer {
  std::string media_type;
  std::uint64_t size = 0;
  Digest digest;
  // Sorted by key once parsed, as Go writes them (cosign writes only kSignatureAnnotation;
  // with a certificate or bundle it adds more, which are kept as they are).
  std::vector<std::pair<std::string, std::string>> annotations;

  // The layer for `payload` signed with `signature_base64`.
  static SignatureLayer of(std::string_view payload, std::string signature_base64);
  // The value of kSignatureAnnotation; nullopt when absent.
  std::optional<std::string_view> signature() const;

  friend bool operator==(const SignatureLayer&, const SignatureLayer&) = default;
};

// The manifest at signature_tag(): its layers, and the config and manifest bytes they give.
class SignatureManifest {
 public:
  // Largest manifest parse() reads, and most layers it accepts.
  static constexpr std::size_t kMaxManifestBytes = 4 * 1024 * 1024;
  static constexpr std::size_t kMaxLayers = 1000;

  // No signatures yet.
  SignatureManifest() = default;
  // The layers of the signature manifest `manifest_json` (as fetched from the registry), to
  // verify them or append to them. kInvalidArgument when it is not JSON, larger than
  // kMaxManifestBytes, not schemaVersion 2 with the OCI manifest media type, or a layer
  // lacks a media type, size or valid digest, has non-string annotations, or there are
  // more than kMaxLayers.
  [[nodiscard]] static Result<SignatureManifest> parse(std::string_view manifest_json);

  // Adds `layer` after the others and returns true, unless an equal layer (same payload
  // and annotations, so the same signature) is already there: then false, nothing changes.
  bool append(SignatureLayer layer);

  const std::vector<SignatureLayer>& layers() const noexcept { return layers_; }
  // The config blob: cosign's fixed image config, rootfs.diff_ids = the layer digests.
  std::string config_json() const;
  // The manifest: OCI media type, config_json()'s descriptor, the layers in order.
  std::string manifest_json() const;

 private:
  std::vector<SignatureLayer> layers_;
};

}  // namespace common::crypto
