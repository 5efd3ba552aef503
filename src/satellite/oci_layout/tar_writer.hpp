// TarWriter: writes a POSIX ustar archive to a borrowed fd as a stream, for `satellite
// export` to a tar: directory entries, and files whose bytes come from a string or from
// another fd, each padded to 512 bytes. Paths must fit ustar's 100-byte name field (an OCI
// layout's longest, "blobs/sha512/<128 hex>", does not: sha512 blobs are refused with
// kUnsupported). Entries get owner 0:0, mode 0644/0755 and a fixed mtime, so the same
// images give the same archive. One thread at a time.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.hpp"

namespace satellite::oci_layout {

class TarWriter {
 public:
  // `fd` is borrowed and must stay open; `name` labels errors.
  TarWriter(int fd, std::string_view name) : fd_(fd), name_(name) {}

  // Appends a directory entry ("blobs/"). kUnsupported for a path too long; write errors.
  [[nodiscard]] common::Status add_directory(std::string_view path);
  // Appends a file holding `content`. Errors as add_directory().
  [[nodiscard]] common::Status add_file(std::string_view path, std::string_view content);
  // Appends a file of `size` bytes copied from `source` (read from its current offset);
  // kCorruption when `source` ends early; errors as add_directory().
  [[nodiscard]] common::Status add_file_from(std::string_view path, int source, std::uint64_t size);
  // Writes the two zero end-of-archive blocks.
  [[nodiscard]] common::Status finish();

 private:
  [[nodiscard]] common::Status header(std::string_view path, char type, std::uint64_t size);
  [[nodiscard]] common::Status pad(std::uint64_t size);
  [[nodiscard]] common::Status write(std::string_view data);

  int fd_;
  std::string_view name_;
};

}  // namespace satellite::oci_layout
