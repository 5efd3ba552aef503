// LayoutExporter: writes the images a registry holds as one OCI image layout (directory or
// tar, a LayoutSink), for carrying them to an air-gapped site (`satellite export`). Every
// tag of the chosen repositories becomes an entry of index.json annotated with
// org.opencontainers.image.ref.name "<repository>:<tag>", so `skopeo copy
// oci:DIR:<repository>:<tag> …` (or oci-archive:) reads each back with its digest; each
// manifest (with the children of an index) and blob is written once however many tags
// share it. Blocking. Holds a reference to the service, which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "registry/registry_service.hpp"
#include "satellite/oci_layout/layout_sink.hpp"

namespace satellite::oci_layout {

struct ExportReport {
  std::size_t tags = 0;
  std::size_t manifests = 0;
  std::size_t blobs = 0;
  std::uint64_t bytes = 0;

  // One line for a person: "exported 3 tags: 4 manifests, 9 blobs (12.0 MiB)".
  std::string summary() const;
};

class LayoutExporter {
 public:
  explicit LayoutExporter(registry::RegistryService& service) : service_(service) {}

  // Writes every tag of `repositories` (empty: of all repositories) into `sink`.
  // kNameUnknown for a named repository that holds no tag; kNameInvalid; storage and
  // write errors.
  [[nodiscard]] common::Result<ExportReport> write(LayoutSink& sink,
                                                   const std::vector<std::string>& repositories);

 private:
  registry::RegistryService& service_;
};

}  // namespace satellite::oci_layout
