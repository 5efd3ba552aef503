#include "common/crypto/cosign_signature.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/crypto/base64.hpp"
#include "common/crypto/hasher.hpp"
#include "common/crypto/openssl_error.hpp"
#include "common/oci/repository_name.hpp"

namespace common::crypto {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// cosign's constant config fields: the zero time Go prints for an unset time.Time.
constexpr std::string_view kZeroTime = "0001-01-01T00:00:00Z";

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == ':' || c == '[' || c == ']';
}

Status check_docker_reference(std::string_view reference) {
  const auto slash = reference.find('/');
  if (slash == std::string_view::npos || slash == 0)
    return fail(ErrorCode::kInvalidArgument, "docker reference must be HOST/REPOSITORY",
                std::string(reference));
  const auto host = reference.substr(0, slash);
  if (!std::all_of(host.begin(), host.end(), is_host_char))
    return fail(ErrorCode::kInvalidArgument, "docker reference has an invalid registry host",
                std::string(reference));
  // A tag (":…") or digest ("@…") after the repository fails the name grammar.
  if (!oci::validate_repository_name(reference.substr(slash + 1)))
    return fail(ErrorCode::kInvalidArgument,
                "docker reference must be a repository without tag or digest",
                std::string(reference));
  return {};
}

const json* member(const json& object, const char* name, json::value_t type) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(name);
  return it != object.end() && it->type() == type ? &*it : nullptr;
}

ordered_json descriptor(std::string_view media_type, std::uint64_t size, const Digest& digest) {
  // go-containerregistry's v1.Descriptor order: mediaType, size, digest, …, annotations.
  ordered_json out;
  out["mediaType"] = media_type;
  out["size"] = size;
  out["digest"] = digest.str();
  return out;
}

Result<SignatureLayer> parse_layer(const json& layer) {
  const json* media_type = member(layer, "mediaType", json::value_t::string);
  const json* digest = member(layer, "digest", json::value_t::string);
  const json* size = member(layer, "size", json::value_t::number_unsigned);
  if (media_type == nullptr || digest == nullptr || size == nullptr)
    return fail(ErrorCode::kInvalidArgument,
                "signature manifest layer lacks its mediaType, size or digest");
  auto parsed = Digest::parse(digest->get_ref<const std::string&>());
  if (!parsed)
    return fail(ErrorCode::kInvalidArgument, "signature manifest layer has an invalid digest");
  SignatureLayer out{
      media_type->get<std::string>(), size->get<std::uint64_t>(), std::move(*parsed), {}};
  if (const auto it = layer.find("annotations"); it != layer.end()) {
    if (!it->is_object())
      return fail(ErrorCode::kInvalidArgument, "signature manifest layer's annotations are bad");
    for (const auto& [key, value] : it->items()) {
      if (!value.is_string())
        return fail(ErrorCode::kInvalidArgument, "signature manifest annotation is not a string",
                    key);
      out.annotations.emplace_back(key, value.get<std::string>());
    }
  }
  return out;
}

}  // namespace

Result<std::string> simple_signing_payload(std::string_view docker_reference,
                                           const Digest& manifest_digest,
                                           const SigningAnnotations& annotations) {
  if (auto checked = check_docker_reference(docker_reference); !checked)
    return fail(checked.error());
  ordered_json payload;
  payload["critical"]["identity"]["docker-reference"] = docker_reference;
  payload["critical"]["image"]["docker-manifest-digest"] = manifest_digest.str();
  payload["critical"]["type"] = kSimpleSigningType;
  payload["optional"] = nullptr;
  for (const auto& [key, value] : annotations) payload["optional"][key] = value;
  return payload.dump();
}

Result<SimpleSigning> parse_simple_signing(std::string_view payload) {
  if (payload.size() > kMaxPayloadBytes)
    return fail(ErrorCode::kInvalidArgument, "signature payload is too large");
  const json doc = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return fail(ErrorCode::kInvalidArgument, "signature payload is not JSON");
  const json* critical = member(doc, "critical", json::value_t::object);
  const json* type = critical ? member(*critical, "type", json::value_t::string) : nullptr;
  if (type == nullptr || type->get_ref<const std::string&>() != kSimpleSigningType)
    return fail(ErrorCode::kInvalidArgument,
                "signature payload is not a cosign container image signature");
  const json* identity = member(*critical, "identity", json::value_t::object);
  const json* reference =
      identity ? member(*identity, "docker-reference", json::value_t::string) : nullptr;
  const json* image = member(*critical, "image", json::value_t::object);
  const json* digest =
      image ? member(*image, "docker-manifest-digest", json::value_t::string) : nullptr;
  if (reference == nullptr || digest == nullptr)
    return fail(ErrorCode::kInvalidArgument,
                "signature payload lacks its docker-reference or docker-manifest-digest");
  auto parsed = Digest::parse(digest->get_ref<const std::string&>());
  if (!parsed)
    return fail(ErrorCode::kInvalidArgument, "signature payload's manifest digest is invalid",
                digest->get<std::string>());
  SimpleSigning out{reference->get<std::string>(), std::move(*parsed), {}};
  if (const auto it = doc.find("optional"); it != doc.end() && !it->is_null()) {
    if (!it->is_object())
      return fail(ErrorCode::kInvalidArgument, "signature payload's optional is not an object");
    for (const auto& [key, value] : it->items())
      out.annotations[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return out;
}

Result<std::string> sign_payload(const CosignKey& key, std::string_view payload) {
  auto signature = key.sign(payload);
  if (!signature) return fail(signature.error());
  return base64_encode(*signature);
}

Status verify_signature(const CosignPublicKey& key, std::string_view payload,
                        std::string_view signature_base64) {
  auto signature = base64_decode(signature_base64);
  if (!signature || signature->empty())
    return fail(ErrorCode::kPermissionDenied, "signature is not base64");
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.native()) != 1)
    return fail(openssl_error(ErrorCode::kInternal, "cannot verify"));
  // 1: valid; 0: a well-formed signature over other bytes; <0: not a DER ECDSA signature.
  const int verified = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
      reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
  if (verified != 1) {
    clear_openssl_errors();
    return fail(ErrorCode::kPermissionDenied,
                "signature does not verify: another key, other bytes, or not a signature");
  }
  return {};
}

Status verify_signature(std::string_view public_key_pem, std::string_view payload,
                        std::string_view signature_base64) {
  auto key = CosignPublicKey::from_pem(public_key_pem);
  if (!key) return fail(key.error());
  return verify_signature(*key, payload, signature_base64);
}

std::string signature_tag(const Digest& manifest_digest) {
  return std::string(manifest_digest.algorithm_name()) + "-" + manifest_digest.hex() + ".sig";
}

SignatureLayer SignatureLayer::of(std::string_view payload, std::string signature_base64) {
  return SignatureLayer{std::string(kSimpleSigningMediaType),
                        payload.size(),
                        digest_of(payload),
                        {{std::string(kSignatureAnnotation), std::move(signature_base64)}}};
}

std::optional<std::string_view> SignatureLayer::signature() const {
  for (const auto& [key, value] : annotations)
    if (key == kSignatureAnnotation) return value;
  return std::nullopt;
}

Result<SignatureManifest> SignatureManifest::parse(std::string_view manifest_json) {
  if (manifest_json.size() > kMaxManifestBytes)
    return fail(ErrorCode::kInvalidArgument, "signature manifest is too large");
  const json doc = json::parse(manifest_json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return fail(ErrorCode::kInvalidArgument, "signature manifest is not JSON");
  const json* version = member(doc, "schemaVersion", json::value_t::number_unsigned);
  const json* media_type = member(doc, "mediaType", json::value_t::string);
  if (version == nullptr || version->get<std::uint64_t>() != 2 || media_type == nullptr ||
      media_type->get_ref<const std::string&>() != kOciManifestMediaType)
    return fail(ErrorCode::kInvalidArgument,
                "signature manifest is not a schemaVersion 2 OCI image manifest");
  const json* layers = member(doc, "layers", json::value_t::array);
  if (layers == nullptr)
    return fail(ErrorCode::kInvalidArgument, "signature manifest lacks its layers");
  if (layers->size() > kMaxLayers)
    return fail(ErrorCode::kInvalidArgument, "signature manifest has too many layers",
                std::to_string(layers->size()));
  SignatureManifest out;
  for (const auto& layer : *layers) {
    auto parsed = parse_layer(layer);
    if (!parsed) return fail(parsed.error());
    out.layers_.push_back(std::move(*parsed));
  }
  return out;
}

bool SignatureManifest::append(SignatureLayer layer) {
  if (std::find(layers_.begin(), layers_.end(), layer) != layers_.end()) return false;
  layers_.push_back(std::move(layer));
  return true;
}

std::string SignatureManifest::config_json() const {
  ordered_json config;
  config["architecture"] = "";
  config["created"] = kZeroTime;
  config["history"] = ordered_json::array({{{"created", kZeroTime}}});
  config["os"] = "";
  config["rootfs"]["type"] = "layers";
  config["rootfs"]["diff_ids"] = ordered_json::array();
  for (const auto& layer : layers_) config["rootfs"]["diff_ids"].push_back(layer.digest.str());
  config["config"] = ordered_json::object();
  return config.dump();
}

std::string SignatureManifest::manifest_json() const {
  const std::string config = config_json();
  ordered_json manifest;
  manifest["schemaVersion"] = 2;
  manifest["mediaType"] = kOciManifestMediaType;
  manifest["config"] = descriptor(kOciConfigMediaType, config.size(), digest_of(config));
  manifest["layers"] = ordered_json::array();
  for (const auto& layer : layers_) {
    ordered_json entry = descriptor(layer.media_type, layer.size, layer.digest);
    if (!layer.annotations.empty()) {
      entry["annotations"] = ordered_json::object();
      for (const auto& [key, value] : layer.annotations) entry["annotations"][key] = value;
    }
    manifest["layers"].push_back(std::move(entry));
  }
  return manifest.dump();
}

}  // namespace common::crypto
