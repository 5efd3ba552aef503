// LayoutImporter: loads an OCI image layout (a LayoutSource: directory or tar) into a
// registry through RegistryService, for air-gapped sites (`satellite import`). The
// repository of each image in index.json is the one given, else the one its ref name (or
// containerd's image name) holds; its tag is the ref name's. The import runs in two phases:
// first every manifest and every blob the registry does not already hold is read and
// verified against its digest and size (nothing is written, so a corrupt layout changes
// nothing and its error names the blob); then blobs are linked when the store already has
// them or uploaded (verified again as the upload is committed), child manifests are put
// before their index, and the tags last. Importing the same layout again stores nothing
// twice. Blocking (reads and hashes the whole layout): call off the I/O threads.
// Holds a reference to the service, which must outlive it; one import at a time per object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "registry/registry_service.hpp"
#include "satellite/oci_layout/layout_source.hpp"

namespace satellite::oci_layout {

struct ImportReport {
  std::size_t images = 0;          // entries of index.json imported
  std::size_t manifests = 0;       // manifests put, children of indexes included
  std::size_t blobs_uploaded = 0;  // blobs whose bytes were new to the store
  std::uint64_t bytes_uploaded = 0;
  std::size_t blobs_linked = 0;           // blobs the store had, newly linked to a repository
  std::size_t blobs_held = 0;             // blobs the repository already had
  std::vector<std::string> repositories;  // in order of first appearance

  // One line for a person: "imported 2 images into demo/app: 5 blobs stored (…), …".
  std::string summary() const;
};

class LayoutImporter {
 public:
  explicit LayoutImporter(registry::RegistryService& service) : service_(service) {}

  // Imports every image of `source`'s index.json into `repository` (empty: each image's own
  // name). kInvalidArgument for a directory or tar that is no OCI layout, an image whose
  // repository is unknown (asks for --repository) or an invalid name; kDigestInvalid or
  // kSizeInvalid for a manifest or blob that does not match its descriptor; kNotFound for a
  // missing blob; kManifestInvalid/kUnsupported from manifest parsing; storage errors.
  [[nodiscard]] common::Result<ImportReport> import(LayoutSource& source,
                                                    std::string_view repository);

 private:
  registry::RegistryService& service_;
};

}  // namespace satellite::oci_layout
