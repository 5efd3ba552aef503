// Fuzz target: satellite::oci_layout::TarReader, which reads the OCI archives an air-gapped
// site imports (`satellite import x.tar`). The input is the archive, held in a memfd so the
// reader takes its seeking path as for a file on disk. Properties: the only error is
// kCorruption (a memfd never fails to read); every entry is reached by consuming at least
// one header block, so the walk ends; a file entry's data is exactly `size` bytes taken from
// the input at `data_offset`, or the read stops with kCorruption at a truncated end.
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "common/error_code.hpp"
#include "common/fs/file_ops.hpp"
#include "common/fs/unique_fd.hpp"
#include "fuzz_check.hpp"
#include "satellite/oci_layout/tar_reader.hpp"

namespace {

constexpr std::size_t kBlock = 512;

// The input as a file: a memfd at offset 0, owned by the caller.
common::fs::UniqueFd memory_file(const std::uint8_t* data, std::size_t size) {
  common::fs::UniqueFd fd(::memfd_create("tar_fuzz", 0));
  FUZZ_CHECK(fd);
  const std::span<const char> bytes(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK(common::fs::write_all(fd.get(), bytes, "memfd:tar_fuzz"));
  FUZZ_CHECK(::lseek(fd.get(), 0, SEEK_SET) == 0);
  return fd;
}

bool is_corruption(const common::Error& error) {
  return error.code() == common::ErrorCode::kCorruption;
}

// Reads the current entry's data and checks it against the input; false when the archive
// ended inside it (the walk then stops, as import does).
bool check_data(satellite::oci_layout::TarReader& reader,
                const satellite::oci_layout::TarEntry& entry, const std::uint8_t* data,
                std::size_t size) {
  std::array<char, 4096> buffer;
  std::uint64_t done = 0;
  for (;;) {
    const auto n = reader.read(buffer.data(), buffer.size());
    if (!n) {
      FUZZ_CHECK(is_corruption(n.error()));
      return false;
    }
    if (*n == 0) break;
    FUZZ_CHECK(entry.data_offset + done + *n <= size);
    FUZZ_CHECK(std::memcmp(buffer.data(), data + entry.data_offset + done, *n) == 0);
    done += *n;
    FUZZ_CHECK(done <= entry.size);
  }
  FUZZ_CHECK(done == entry.size);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = memory_file(data, size);
  satellite::oci_layout::TarReader reader(file.get());
  const std::size_t max_entries = size / kBlock + 1;
  for (std::size_t entries = 0;; ++entries) {
    FUZZ_CHECK(entries <= max_entries);
    const auto entry = reader.next();
    if (!entry) {
      FUZZ_CHECK(is_corruption(entry.error()));
      break;
    }
    if (!entry->has_value()) break;
    const auto& current = **entry;
    FUZZ_CHECK(current.data_offset >= kBlock && current.data_offset % kBlock == 0);
    if (current.type != satellite::oci_layout::TarEntry::Type::kFile) continue;
    if (!check_data(reader, current, data, size)) break;
  }
  return 0;
}
