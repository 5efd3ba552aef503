// TarReader: a streaming reader of POSIX tar archives (ustar, GNU and pax), enough for the
// OCI image layouts that `skopeo copy … oci-archive:` and `docker save` write: regular
// files and directories, names from ustar prefix+name, pax `path`/`size` records and GNU
// long names. Every field is bounds-checked, so a malformed or truncated archive is a
// kCorruption error naming the offset, never a crash or an overread (fuzz-friendly).
// Reads from a borrowed fd, sequentially; skips data with lseek when the fd is a regular
// file. One thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace satellite::oci_layout {

struct TarEntry {
  enum class Type { kFile, kDirectory, kOther };  // kOther: links, devices, fifos
  std::string path;                               // as stored, without a leading "./"
  Type type = Type::kFile;
  std::uint64_t size = 0;         // data bytes (0 for directories and links)
  std::uint64_t data_offset = 0;  // offset of the data in the archive
};

class TarReader {
 public:
  // Largest pax or GNU long-name header accepted; real ones are a few hundred bytes.
  static constexpr std::uint64_t kMaxExtendedHeader = 1024 * 1024;

  // `fd` is borrowed and must stay open; reading starts at its current offset (0).
  explicit TarReader(int fd);

  // The next entry, skipping the rest of the current one; nullopt at the end of the archive.
  // kCorruption for a bad checksum, a malformed field or pax record, or a truncated archive;
  // kInternal for read errors.
  [[nodiscard]] common::Result<std::optional<TarEntry>> next();
  // Reads up to `n` bytes of the current entry's data; 0 at its end. kCorruption when the
  // archive ends inside it; kInternal for read errors.
  [[nodiscard]] common::Result<std::size_t> read(char* buffer, std::size_t n);

 private:
  // Reads exactly `n` bytes; kCorruption at a premature end.
  [[nodiscard]] common::Status read_exact(char* buffer, std::size_t n);
  // Moves past `n` bytes (seeking when possible).
  [[nodiscard]] common::Status skip(std::uint64_t n);
  // Reads the current entry's whole data (an extended header) into a string.
  [[nodiscard]] common::Result<std::string> read_extended(std::uint64_t size);

  int fd_;
  std::optional<std::uint64_t> file_size_;  // known for regular files: bounds skips
  std::uint64_t offset_ = 0;                // bytes consumed so far
  std::uint64_t remaining_ = 0;             // data bytes left in the current entry
  std::uint64_t padding_ = 0;               // padding after the current entry's data
  bool ended_ = false;
};

}  // namespace satellite::oci_layout
