// Fuzz target: common::oci::parse_manifest. The first input byte picks the Content-Type the
// body arrives with (every manifest media type, with and without parameters, the generic
// types a client may send, an unsupported one and none), the rest is the body. 'A' picks the
// first entry of kContentTypes, 'B' the second and so on, so seeds stay text files; new
// entries go at the end to keep the seeds' meaning. Properties beyond "no crash, no leak, no
// undefined behaviour": a parsed manifest has a manifest media type that agrees with a
// manifest Content-Type, holds either a config (image) or a child list (index) and never
// both, and its descriptors carry valid digests and sizes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/oci/manifest.hpp"
#include "common/oci/media_types.hpp"
#include "fuzz_check.hpp"

namespace {

namespace oci = common::oci;

constexpr std::string_view kContentTypes[] = {
    "",
    oci::media_type::kOciManifest,
    oci::media_type::kOciIndex,
    oci::media_type::kDockerManifest,
    oci::media_type::kDockerManifestList,
    "application/vnd.oci.image.manifest.v1+json; charset=utf-8",
    "application/vnd.oci.image.index.v1+json ;",
    "application/json",
    "application/octet-stream",
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
};
constexpr std::size_t kContentTypeCount = sizeof(kContentTypes) / sizeof(kContentTypes[0]);

void check_descriptor(const oci::Descriptor& descriptor) {
  FUZZ_CHECK(descriptor.size >= 0);
  const auto reparsed = common::Digest::parse(descriptor.digest.str());
  FUZZ_CHECK(reparsed.has_value() && *reparsed == descriptor.digest);
}

void check_manifest(const oci::Manifest& manifest, std::string_view content_type) {
  FUZZ_CHECK(oci::media_type::is_manifest(manifest.media_type));
  FUZZ_CHECK(manifest.is_index == oci::media_type::is_index(manifest.media_type));
  if (oci::media_type::is_manifest(content_type)) FUZZ_CHECK(manifest.media_type == content_type);
  if (manifest.is_index) {
    FUZZ_CHECK(!manifest.config.has_value() && manifest.layers.empty());
  } else {
    FUZZ_CHECK(manifest.config.has_value() && manifest.manifests.empty());
    check_descriptor(*manifest.config);
  }
  for (const auto& layer : manifest.layers) check_descriptor(layer);
  for (const auto& child : manifest.manifests) check_descriptor(child);
  if (manifest.subject) check_descriptor(*manifest.subject);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view content_type =
      kContentTypes[static_cast<std::uint8_t>(data[0] - 'A') % kContentTypeCount];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto manifest = oci::parse_manifest(body, content_type);
  if (manifest) {
    check_manifest(*manifest, content_type);
  } else {
    const auto code = manifest.error().code();
    FUZZ_CHECK(code == common::ErrorCode::kManifestInvalid ||
               code == common::ErrorCode::kUnsupported);
  }
  return 0;
}
