// gzip_compress: compresses a buffer into a single gzip member with zlib, for synthetic
// OCI layers (application/vnd.oci.image.layer.v1.tar+gzip). The gzip header carries no
// file name and mtime 0, so the output depends only on the input and the level.
// Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace testutil::oci_image_gen {

// zlib's default trade-off between speed and size.
inline constexpr int kDefaultGzipLevel = 6;

// The gzip encoding of `data` at `level` (0-9). kInvalidArgument for a bad level;
// kInternal if zlib fails (out of memory).
[[nodiscard]] common::Result<std::string> gzip_compress(std::string_view data,
                                                        int level = kDefaultGzipLevel);

}  // namespace testutil::oci_image_gen
