// LayoutSink: where `satellite export` writes an OCI image layout: into an empty directory,
// or as a tar stream into a file, both given as an fd the caller opened (possibly in another
// process, passed over the admin socket). Files are created below the directory fd with
// O_EXCL and never through a symlink. Owns the fd. One thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/fs/unique_fd.hpp"
#include "common/result.hpp"

namespace satellite::oci_layout {

class LayoutSink {
 public:
  // A sink writing into the directory `fd` is, or as a tar into the regular file it is;
  // kInvalidArgument otherwise.
  [[nodiscard]] static common::Result<std::unique_ptr<LayoutSink>> open(common::fs::UniqueFd fd);
  virtual ~LayoutSink() = default;

  // Creates directory `path` (relative to the layout root). Write errors.
  [[nodiscard]] virtual common::Status add_directory(const std::string& path) = 0;
  // Writes file `path` holding `content`; kAlreadyExists when present; write errors.
  [[nodiscard]] virtual common::Status add_file(const std::string& path,
                                                std::string_view content) = 0;
  // Writes file `path` with `size` bytes read from `source`. Errors as add_file().
  [[nodiscard]] virtual common::Status add_file_from(const std::string& path, int source,
                                                     std::uint64_t size) = 0;
  // Completes the layout (the tar's end blocks) and makes it durable (fsync).
  [[nodiscard]] virtual common::Status finish() = 0;
};

}  // namespace satellite::oci_layout
