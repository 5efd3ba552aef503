// write_oci_layout: writes a synthetic OCI image layout (image-spec "image-layout.md") for
// tests and the demo, so no image is ever downloaded. The layout holds the `oci-layout`
// marker, `index.json` and content-addressed `blobs/sha256/<hex>`. Each image has N gzip'd
// tar layers of pseudo-random, moderately compressible text derived from the seed, a config
// whose rootfs.diff_ids are the sha256 of each uncompressed tar, and an OCI image manifest.
// With platforms, one image per platform is written and an OCI image index references them.
// The top descriptor in index.json is annotated org.opencontainers.image.ref.name=<tag>;
// an existing layout is extended, replacing any entry with the same tag.
// Output is deterministic: the same options always give the same bytes and digests.
// Not safe to run concurrently against the same directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "common/result.hpp"

namespace testutil::oci_image_gen {

// One target platform, as in an OCI image index entry's `platform` field.
struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;  // empty when the platform has none

  // Parses "os/arch" or "os/arch/variant"; kInvalidArgument otherwise.
  [[nodiscard]] static common::Result<Platform> parse(std::string_view text);
  // "os/arch[/variant]"
  std::string str() const;

  friend bool operator==(const Platform&, const Platform&) = default;
};

struct OciLayoutOptions {
  // Layout directory; created (with parents) if missing.
  std::filesystem::path out_dir;
  // Tag written as org.opencontainers.image.ref.name; must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
  std::string tag = "latest";
  // Layers per image, 0-1000.
  int layers = 3;
  // Uncompressed payload bytes per layer, at most 4 GiB (tar headers and a small id file
  // come on top). Each layer is built in memory.
  std::uint64_t layer_size = 1024 * 1024;
  // Seed for all content; different seeds give different layer digests.
  std::uint64_t seed = 42;
  // Empty: a single linux/amd64 image whose manifest is tagged directly. Otherwise one image
  // per platform (no duplicates) under an OCI image index, and the index is tagged.
  std::vector<Platform> platforms;
};

// Writes the images and tags the top manifest or index; returns that top digest.
// kInvalidArgument for bad options; kCorruption if an existing index.json cannot be parsed;
// kInternal on file-system errors.
[[nodiscard]] common::Result<common::Digest> write_oci_layout(const OciLayoutOptions& options);

}  // namespace testutil::oci_image_gen
