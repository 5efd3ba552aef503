// Media types of the OCI image-spec and Docker's schema 2 that the registry understands.
#pragma once

#include <string_view>

namespace common::oci::media_type {

inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kOciEmptyJson = "application/vnd.oci.empty.v1+json";

// True for the four manifest media types a manifest PUT may carry.
constexpr bool is_manifest(std::string_view type) {
  return type == kOciManifest || type == kOciIndex || type == kDockerManifest ||
         type == kDockerManifestList;
}

// True for the two list types whose entries are other manifests.
constexpr bool is_index(std::string_view type) {
  return type == kOciIndex || type == kDockerManifestList;
}

}  // namespace common::oci::media_type
