// TarWriter: builds a POSIX ustar archive in memory, for synthetic OCI layers in tests.
// Only regular files and directories are supported. Every entry gets a fixed owner (0:0),
// fixed mtime and fixed mode (0644 files, 0755 directories), so the archive bytes depend
// only on the entries added and their order. Owns its buffer; movable; one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace testutil::oci_image_gen {

class TarWriter {
 public:
  // Modification time stamped on every entry (2024-01-01T00:00:00Z).
  static constexpr std::int64_t kMtime = 1704067200;

  // Appends a directory entry; a trailing '/' is added if missing.
  // kInvalidArgument if the path is empty, absolute or too long for ustar.
  [[nodiscard]] common::Status add_directory(std::string_view path);
  // Appends a regular file holding `content`. kInvalidArgument if the path is empty,
  // absolute, ends in '/' or is too long for ustar, or the content is 8 GiB or more.
  [[nodiscard]] common::Status add_file(std::string_view path, std::string_view content);
  // Appends the two zero end-of-archive blocks and hands back the archive; the writer is
  // left empty.
  std::string finish();

 private:
  common::Status add_entry(std::string_view path, char type_flag, std::string_view content);
  std::string buffer_;
};

}  // namespace testutil::oci_image_gen
