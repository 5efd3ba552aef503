// ImageName: what an OCI layout's index.json says an image is called, parsed from its
// `org.opencontainers.image.ref.name` annotation (a bare tag such as "v1", as `skopeo copy
// … oci:DIR:v1` writes, or a full name "demo/app:v1") or containerd's `io.containerd.image.name`
// ("docker.io/library/alpine:3.19"). A registry host is stripped (the first component when
// it holds a '.' or ':' or is "localhost", as docker decides), Docker Hub's implicit
// "library/" is restored, and a digest suffix is dropped. Value type; pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace satellite::oci_layout {

struct ImageName {
  std::string repository;  // empty when the name was a bare tag
  std::string tag;         // empty when the name carried none (a full name "@sha256:…")

  // Parses a ref name; a full name without a tag gets "latest". kInvalidArgument when the
  // repository or the tag is not valid per the distribution-spec.
  [[nodiscard]] static common::Result<ImageName> parse(std::string_view text);
};

}  // namespace satellite::oci_layout
