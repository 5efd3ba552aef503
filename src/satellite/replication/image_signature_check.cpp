#include "satellite/replication/image_signature_check.hpp"

#include <fmt/format.h>

namespace satellite::replication {
namespace {

using common::ErrorCode;

constexpr std::size_t kMaxSignatureLayers = 32;

}  // namespace

common::Result<std::optional<SignatureArtifact>> ImageSignatureCheck::fetch(
    std::string_view repository, const common::Digest& digest) {
  auto tag = common::crypto::signature_tag(digest);
  auto fetched = upstream_.get_tagged_manifest(repository, tag);
  if (!fetched) {
    if (fetched.error().code() == ErrorCode::kNotFound) return std::nullopt;
    return common::fail(std::move(fetched.error()));
  }
  auto parsed = common::crypto::SignatureManifest::parse(fetched->content);
  if (!parsed) {
    return common::fail(ErrorCode::kManifestInvalid,
                        fmt::format("{}:{} upstream is no cosign signature manifest: {}",
                                    repository, tag, parsed.error().message()));
  }
  return SignatureArtifact{std::move(tag), std::move(*fetched), std::move(*parsed)};
}

common::Status verify_image_signature(std::string_view repository, std::string_view tag,
                                      const common::Digest& digest,
                                      const common::crypto::SignatureManifest& manifest,
                                      const std::vector<std::string>& public_keys,
                                      const PayloadReader& read_payload) {
  if (public_keys.empty())
    return common::fail(ErrorCode::kInvalidArgument, "no public key to verify signatures with");
  std::vector<common::crypto::CosignPublicKey> keys;
  for (const auto& pem : public_keys) {
    auto key = common::crypto::CosignPublicKey::from_pem(pem);
    if (!key) return common::fail(std::move(key.error()));
    keys.push_back(std::move(*key));
  }
  std::size_t signatures = 0;
  std::optional<common::Digest> other_digest;  // a trusted signature over another image
  std::optional<common::Error> unreadable;     // a payload that could not be read
  for (const auto& layer : manifest.layers()) {
    const auto signature = layer.signature();
    if (layer.media_type != common::crypto::kSimpleSigningMediaType || !signature) continue;
    // The upstream decides how many layers there are: look at a bounded number (cosign
    // appends one per signing), as RegistryStateReader does.
    if (signatures == kMaxSignatureLayers) break;
    ++signatures;
    auto payload = read_payload(layer.digest);
    if (!payload) {
      if (!unreadable) unreadable = std::move(payload.error());
      continue;
    }
    for (const auto& key : keys) {
      if (!common::crypto::verify_signature(key, *payload, *signature)) continue;
      auto signed_for = common::crypto::parse_simple_signing(*payload);
      if (!signed_for) break;  // signed, but not a statement about an image
      if (signed_for->manifest_digest == digest) return {};
      other_digest = signed_for->manifest_digest;
      break;
    }
  }
  if (other_digest) {
    return common::fail(
        ErrorCode::kPermissionDenied,
        fmt::format("signed by a trusted key for another digest {}", other_digest->str()));
  }
  if (unreadable) return common::fail(std::move(*unreadable));
  if (signatures == 0) {
    return common::fail(ErrorCode::kPermissionDenied,
                        fmt::format("{}:{} holds no cosign signature", repository, tag));
  }
  return common::fail(
      ErrorCode::kPermissionDenied,
      fmt::format("signed by no trusted key ({} signature{}, {} key{} trusted)", signatures,
                  signatures == 1 ? "" : "s", keys.size(), keys.size() == 1 ? "" : "s"));
}

common::Status ImageSignatureCheck::verify(std::string_view repository,
                                           const common::Digest& digest,
                                           const SignatureArtifact& artifact,
                                           const std::vector<std::string>& public_keys) {
  return verify_image_signature(repository, artifact.tag, digest, artifact.signatures, public_keys,
                                [&](const common::Digest& blob) {
                                  return upstream_.get_blob_content(
                                      repository, blob, common::crypto::kMaxPayloadBytes);
                                });
}

common::Status ImageSignatureCheck::check(std::string_view repository, const common::Digest& digest,
                                          const std::vector<std::string>& public_keys) {
  auto artifact = fetch(repository, digest);
  if (!artifact) return common::fail(std::move(artifact.error()));
  if (!*artifact) {
    return common::fail(ErrorCode::kPermissionDenied,
                        fmt::format("no cosign signature (no tag {} upstream)",
                                    common::crypto::signature_tag(digest)));
  }
  return verify(repository, digest, **artifact, public_keys);
}

}  // namespace satellite::replication
