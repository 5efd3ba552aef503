// filter_index(): an image index (OCI or Docker manifest list) rewritten to the platforms a
// satellite's config names, for sites that run only some architectures. The result is the
// same document with the same mediaType and every other field kept, and only the
// `manifests` entries whose `platform` matches; its digest is therefore a new one. A
// platform "os/arch" matches every variant, "os/arch/variant" only that variant.
// When every entry matches, the index is returned byte for byte (its digest unchanged).
// Pure function; no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace satellite::replication {

// The filtered index bytes. kInvalidArgument for a platform that is not os/arch[/variant];
// kManifestInvalid when `index` is not a JSON object with a manifests array; kNotFound when
// no entry matches (naming the platforms asked for).
[[nodiscard]] common::Result<std::string> filter_index(std::string_view index,
                                                       const std::vector<std::string>& platforms);

}  // namespace satellite::replication
