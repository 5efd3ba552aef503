// TestImage: OCI images and indexes built in memory for tests (config, layers, manifest
// bytes, digests), deterministic from their names, so tests can share layers between
// images on purpose. Plain values; pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/hasher.hpp"
#include "common/oci/media_types.hpp"

namespace testutil {

// `size` bytes derived from `seed` (not compressible, so transfers have a real length).
inline std::string test_blob(std::string_view seed, std::size_t size) {
  std::string out;
  out.reserve(size);
  std::uint64_t state = std::hash<std::string_view>{}(seed) | 1;
  while (out.size() < size) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    for (int i = 0; i < 8 && out.size() < size; ++i) out += static_cast<char>(state >> (8 * i));
  }
  return out;
}

inline std::string test_descriptor(std::string_view media_type, const std::string& content,
                                   std::string_view extra = {}) {
  return std::string(R"({"mediaType":")") + std::string(media_type) + R"(","digest":")" +
         common::crypto::digest_of(content).str() + R"(","size":)" +
         std::to_string(content.size()) + std::string(extra) + "}";
}

struct TestImage {
  std::string config;
  std::vector<std::string> layers;
  std::string manifest;
  std::string os = "linux", architecture = "amd64";
  common::Digest digest() const { return common::crypto::digest_of(manifest); }
};

// An OCI image for os/architecture with the given layer bytes; `name` makes its config unique.
inline TestImage make_test_image(std::string_view name, std::vector<std::string> layers,
                                 std::string os = "linux", std::string architecture = "amd64") {
  TestImage image;
  image.os = std::move(os);
  image.architecture = std::move(architecture);
  image.config = R"({"architecture":")" + image.architecture + R"(","os":")" + image.os +
                 R"(","name":")" + std::string(name) + "\"}";
  image.layers = std::move(layers);
  image.manifest = std::string(R"({"schemaVersion":2,"mediaType":")") +
                   std::string(common::oci::media_type::kOciManifest) + R"(","config":)" +
                   test_descriptor("application/vnd.oci.image.config.v1+json", image.config) +
                   R"(,"layers":[)";
  for (std::size_t i = 0; i < image.layers.size(); ++i) {
    if (i > 0) image.manifest += ",";
    image.manifest += test_descriptor("application/vnd.oci.image.layer.v1.tar", image.layers[i]);
  }
  image.manifest += "]}";
  return image;
}

// An image with one small layer made from its name.
inline TestImage make_test_image(std::string_view name) {
  return make_test_image(name, {"layer bytes of " + std::string(name)});
}

// An OCI image index over `children`, each entry with its platform.
inline std::string make_test_index(const std::vector<TestImage>& children) {
  std::string out = std::string(R"({"schemaVersion":2,"mediaType":")") +
                    std::string(common::oci::media_type::kOciIndex) + R"(","manifests":[)";
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (i > 0) out += ",";
    out += test_descriptor(common::oci::media_type::kOciManifest, children[i].manifest,
                           R"(,"platform":{"architecture":")" + children[i].architecture +
                               R"(","os":")" + children[i].os + "\"}");
  }
  return out + "]}";
}

}  // namespace testutil
