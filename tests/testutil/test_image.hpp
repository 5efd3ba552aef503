// Small OCI images for unit tests: an image manifest with one config and one layer blob
// whose bytes are made from a name, and an index over such manifests. Header-only values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/hasher.hpp"
#include "common/digest.hpp"
#include "common/oci/media_types.hpp"

namespace testutil {

inline std::string descriptor(std::string_view media_type, const common::Digest& digest,
                              std::size_t size) {
  return std::string(R"({"mediaType":")") + std::string(media_type) + R"(","digest":")" +
         digest.str() + R"(","size":)" + std::to_string(size) + "}";
}

// An image: its config and layer blobs and its manifest bytes.
struct TestImage {
  std::string config;
  std::string layer;
  std::string manifest;
  common::Digest digest() const { return common::crypto::digest_of(manifest); }
  common::Digest config_digest() const { return common::crypto::digest_of(config); }
  common::Digest layer_digest() const { return common::crypto::digest_of(layer); }
};

// An OCI image manifest with one layer; `name` makes its blobs and bytes unique. A `layer`
// given is used instead of the name's (images that share a layer).
inline TestImage make_test_image(std::string_view name, std::string_view layer = {}) {
  TestImage image;
  image.config =
      std::string(R"({"architecture":"amd64","os":"linux","name":")") + std::string(name) + "\"}";
  image.layer = layer.empty() ? "layer bytes of " + std::string(name) : std::string(layer);
  image.manifest = std::string(R"({"schemaVersion":2,"mediaType":")") +
                   std::string(common::oci::media_type::kOciManifest) + R"(","config":)" +
                   descriptor("application/vnd.oci.image.config.v1+json", image.config_digest(),
                              image.config.size()) +
                   R"(,"layers":[)" +
                   descriptor("application/vnd.oci.image.layer.v1.tar", image.layer_digest(),
                              image.layer.size()) +
                   "]}";
  return image;
}

// An OCI image index over `children` (manifest bytes).
inline std::string make_test_index(const std::vector<std::string>& children) {
  std::string out = std::string(R"({"schemaVersion":2,"mediaType":")") +
                    std::string(common::oci::media_type::kOciIndex) + R"(","manifests":[)";
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (i > 0) out += ",";
    out += descriptor(common::oci::media_type::kOciManifest, common::crypto::digest_of(children[i]),
                      children[i].size());
  }
  return out + "]}";
}

}  // namespace testutil
