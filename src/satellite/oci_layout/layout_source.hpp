// LayoutSource: the files of an OCI image layout (image-spec "image-layout.md": `oci-layout`,
// `index.json`, `blobs/<alg>/<hex>`) to read, whether the layout is a directory or a tar of
// one (what `skopeo copy … oci:DIR` and `oci-archive:FILE.tar` write). A source owns the fd
// it was opened from (a directory or a tar file, opened by the caller, possibly in another
// process that passed it over the admin socket), so it reads what the caller could open and
// nothing else. A tar is indexed once on open (headers only; data is skipped by seeking) and
// its files are then read with pread. One thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/fs/unique_fd.hpp"
#include "common/result.hpp"

namespace satellite::oci_layout {

class LayoutSource {
 public:
  using Chunk = std::function<common::Status(std::string_view)>;

  // A source over `fd`: a directory, or a tar archive (indexed now). kCorruption for a
  // malformed tar; kInvalidArgument for a tar that is not seekable.
  [[nodiscard]] static common::Result<std::unique_ptr<LayoutSource>> open(common::fs::UniqueFd fd);
  virtual ~LayoutSource() = default;

  // Size of the file at `path` (relative to the layout root); kNotFound when absent.
  [[nodiscard]] virtual common::Result<std::uint64_t> size(const std::string& path) = 0;
  // Reads the whole file at `path` if it holds at most `limit` bytes: kNotFound, kTooLarge.
  [[nodiscard]] common::Result<std::string> read(const std::string& path, std::uint64_t limit);
  // Passes the file's bytes to `chunk` in order, in pieces of up to 256 KiB; stops at the
  // first error `chunk` returns. kNotFound; kCorruption when the file is shorter than its size.
  [[nodiscard]] virtual common::Status stream(const std::string& path, const Chunk& chunk) = 0;
};

}  // namespace satellite::oci_layout
