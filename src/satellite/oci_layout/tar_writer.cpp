#include "satellite/oci_layout/tar_writer.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "common/fs/file_ops.hpp"
#include "common/fs/posix_error.hpp"

namespace satellite::oci_layout {
namespace {

constexpr std::size_t kBlock = 512;
constexpr std::int64_t kMtime = 1704067200;  // 2024-01-01T00:00:00Z

void octal(char* out, std::size_t width, std::uint64_t value) {
  std::snprintf(out, width, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(value));
}

}  // namespace

common::Status TarWriter::write(std::string_view data) {
  return common::fs::write_all(fd_, data, name_);
}

common::Status TarWriter::header(std::string_view path, char type, std::uint64_t size) {
  if (path.size() > 100)
    return common::fail(common::ErrorCode::kUnsupported, "path too long for a tar entry",
                        std::string(path));
  std::array<char, kBlock> block{};
  std::memcpy(block.data(), path.data(), path.size());
  octal(block.data() + 100, 8, type == '5' ? 0755 : 0644);
  octal(block.data() + 108, 8, 0);
  octal(block.data() + 116, 8, 0);
  if (size >= (1ULL << 33)) {  // beyond 11 octal digits: GNU base-256
    block[124] = static_cast<char>(0x80);
    for (int i = 0; i < 8; ++i) block[135 - i] = static_cast<char>((size >> (8 * i)) & 0xff);
  } else {
    octal(block.data() + 124, 12, size);
  }
  octal(block.data() + 136, 12, kMtime);
  block[156] = type;
  std::memcpy(block.data() + 257, "ustar", 6);
  std::memcpy(block.data() + 263, "00", 2);
  std::memset(block.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : block) sum += static_cast<unsigned char>(c);
  std::snprintf(block.data() + 148, 8, "%06o", sum);  // six digits, NUL, space
  block[155] = ' ';
  return write(std::string_view(block.data(), block.size()));
}

common::Status TarWriter::pad(std::uint64_t size) {
  static constexpr std::array<char, kBlock> kZeros{};
  const auto padding = (kBlock - size % kBlock) % kBlock;
  return write(std::string_view(kZeros.data(), padding));
}

common::Status TarWriter::add_directory(std::string_view path) {
  std::string name(path);
  if (!name.ends_with('/')) name += '/';
  return header(name, '5', 0);
}

common::Status TarWriter::add_file(std::string_view path, std::string_view content) {
  if (auto status = header(path, '0', content.size()); !status) return status;
  if (auto status = write(content); !status) return status;
  return pad(content.size());
}

common::Status TarWriter::add_file_from(std::string_view path, int source, std::uint64_t size) {
  if (auto status = header(path, '0', size); !status) return status;
  std::array<char, 64 * 1024> buffer;
  for (std::uint64_t left = size; left > 0;) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
    const auto got = ::read(source, buffer.data(), want);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return common::fail(common::fs::posix_error("read", path, errno));
    if (got == 0)
      return common::fail(common::ErrorCode::kCorruption, "blob shorter than its size",
                          std::string(path));
    if (auto status = write(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
        !status)
      return status;
    left -= static_cast<std::uint64_t>(got);
  }
  return pad(size);
}

common::Status TarWriter::finish() {
  static constexpr std::array<char, 2 * kBlock> kZeros{};
  return write(std::string_view(kZeros.data(), kZeros.size()));
}

}  // namespace satellite::oci_layout
