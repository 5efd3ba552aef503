#include "satellite/oci_layout/tar_reader.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <string_view>

#include "common/fs/posix_error.hpp"

namespace satellite::oci_layout {
namespace {

using common::ErrorCode;
constexpr std::size_t kBlock = 512;
using Block = std::array<char, kBlock>;

common::Error corrupt(std::string message, std::uint64_t offset) {
  return common::Error(ErrorCode::kCorruption, "malformed tar archive: " + std::move(message),
                       "at offset " + std::to_string(offset));
}

// A NUL-terminated (or full-width) field as a string.
std::string field(const Block& block, std::size_t at, std::size_t width) {
  std::string_view view(block.data() + at, width);
  return std::string(view.substr(0, view.find('\0')));
}

// An octal number field (spaces and NULs around it), or GNU base-256 when the high bit is
// set; nullopt when malformed or beyond 2^63.
std::optional<std::uint64_t> number(const Block& block, std::size_t at, std::size_t width) {
  const auto* p = reinterpret_cast<const unsigned char*>(block.data() + at);
  std::uint64_t value = 0;
  if (p[0] & 0x80) {
    if (p[0] != 0x80) return std::nullopt;  // negative or wider than we accept
    for (std::size_t i = 1; i < width; ++i) {
      if (value >> 55) return std::nullopt;
      value = (value << 8) | p[i];
    }
    return value;
  }
  std::size_t i = 0;
  while (i < width && p[i] == ' ') ++i;
  bool any = false;
  for (; i < width && p[i] >= '0' && p[i] <= '7'; ++i) {
    if (value >> 60) return std::nullopt;
    value = value * 8 + (p[i] - '0');
    any = true;
  }
  for (; i < width; ++i) {
    if (p[i] != ' ' && p[i] != '\0') return std::nullopt;
  }
  if (!any) return std::nullopt;
  return value;
}

bool checksum_ok(const Block& block) {
  const auto stored = number(block, 148, 8);
  if (!stored) return false;
  std::uint64_t unsigned_sum = 0;
  std::int64_t signed_sum = 0;
  for (std::size_t i = 0; i < kBlock; ++i) {
    const char c = (i >= 148 && i < 156) ? ' ' : block[i];
    unsigned_sum += static_cast<unsigned char>(c);
    signed_sum += static_cast<signed char>(c);
  }
  return *stored == unsigned_sum || static_cast<std::int64_t>(*stored) == signed_sum;
}

// Pax records "<len> <key>=<value>\n": fills path and size when present.
common::Status parse_pax(std::string_view data, std::optional<std::string>& path,
                         std::optional<std::uint64_t>& size, std::uint64_t offset) {
  while (!data.empty()) {
    std::size_t length = 0, i = 0;
    while (i < data.size() && i < 10 && data[i] >= '0' && data[i] <= '9')
      length = length * 10 + (data[i++] - '0');
    if (i == 0 || i >= data.size() || data[i] != ' ' || length <= i + 1 || length > data.size() ||
        data[length - 1] != '\n')
      return common::fail(corrupt("bad pax record", offset));
    const auto record = data.substr(i + 1, length - i - 2);
    data.remove_prefix(length);
    const auto eq = record.find('=');
    if (eq == std::string_view::npos) return common::fail(corrupt("bad pax record", offset));
    const auto key = record.substr(0, eq);
    const auto value = record.substr(eq + 1);
    if (key == "path") {
      path = std::string(value);
    } else if (key == "size") {
      std::uint64_t n = 0;
      if (value.empty() || value.size() > 18) return common::fail(corrupt("bad pax size", offset));
      for (char c : value) {
        if (c < '0' || c > '9') return common::fail(corrupt("bad pax size", offset));
        n = n * 10 + (c - '0');
      }
      size = n;
    }
  }
  return {};
}

std::string strip_dot_slash(std::string path) {
  while (path.starts_with("./")) path.erase(0, 2);
  return path;
}

// The entry a (non-extended) header describes, its path and size possibly overridden by the
// extended headers before it.
TarEntry make_entry(const Block& block, const std::optional<std::string>& long_path,
                    std::optional<std::uint64_t> pax_size, std::uint64_t size) {
  TarEntry entry;
  std::string name = field(block, 0, 100);
  // POSIX ustar ("ustar\0" "00") keeps a name prefix; GNU's "ustar  " uses that space otherwise.
  const auto prefix = field(block, 257, 8) == "ustar" ? field(block, 345, 155) : std::string();
  if (!prefix.empty()) name = prefix + "/" + name;
  entry.path = strip_dot_slash(long_path ? *long_path : name);
  const char type = block[156];
  entry.type = (type == '0' || type == '\0' || type == '7') ? TarEntry::Type::kFile
               : type == '5'                                ? TarEntry::Type::kDirectory
                                                            : TarEntry::Type::kOther;
  // Links and directories carry no data whatever their size field says.
  entry.size = entry.type == TarEntry::Type::kFile ? (pax_size ? *pax_size : size) : 0;
  return entry;
}

}  // namespace

TarReader::TarReader(int fd) : fd_(fd) {
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
    file_size_ = static_cast<std::uint64_t>(st.st_size);
}

common::Status TarReader::read_exact(char* buffer, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    const auto got = ::read(fd_, buffer + done, n - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return common::fail(common::fs::posix_error("read", "tar archive", errno));
    if (got == 0) return common::fail(corrupt("truncated", offset_ + done));
    done += static_cast<std::size_t>(got);
  }
  offset_ += n;
  return {};
}

common::Status TarReader::skip(std::uint64_t n) {
  if (n == 0) return {};
  if (file_size_) {
    if (n > *file_size_ || offset_ > *file_size_ - n)
      return common::fail(corrupt("truncated", offset_));
    if (::lseek(fd_, static_cast<off_t>(offset_ + n), SEEK_SET) < 0)
      return common::fail(common::fs::posix_error("lseek", "tar archive", errno));
    offset_ += n;
    return {};
  }
  Block scratch;
  while (n > 0) {
    const auto step = static_cast<std::size_t>(std::min<std::uint64_t>(n, kBlock));
    if (auto status = read_exact(scratch.data(), step); !status) return status;
    n -= step;
  }
  return {};
}

common::Result<std::size_t> TarReader::read(char* buffer, std::size_t n) {
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, remaining_));
  if (n == 0) return 0;
  if (auto status = read_exact(buffer, n); !status) return common::fail(status.error());
  remaining_ -= n;
  return n;
}

common::Result<std::string> TarReader::read_extended(std::uint64_t size) {
  if (size > kMaxExtendedHeader) return common::fail(corrupt("extended header too large", offset_));
  std::string data(static_cast<std::size_t>(size), '\0');
  if (auto status = read_exact(data.data(), data.size()); !status)
    return common::fail(status.error());
  remaining_ = 0;
  return data;
}

common::Result<std::optional<TarEntry>> TarReader::next() {
  if (ended_) return std::nullopt;
  if (auto status = skip(remaining_ + padding_); !status) return common::fail(status.error());
  remaining_ = padding_ = 0;
  std::optional<std::string> long_path;
  std::optional<std::uint64_t> pax_size;
  for (;;) {
    const auto header_offset = offset_;
    Block block;
    if (auto status = read_exact(block.data(), kBlock); !status)
      return common::fail(status.error());
    if (std::all_of(block.begin(), block.end(), [](char c) { return c == '\0'; })) {
      ended_ = true;  // the second zero block is optional in practice
      if (long_path || pax_size)
        return common::fail(corrupt("extended header without entry", header_offset));
      return std::nullopt;
    }
    if (!checksum_ok(block)) return common::fail(corrupt("bad header checksum", header_offset));
    auto size = number(block, 124, 12);
    if (!size) return common::fail(corrupt("bad size field", header_offset));
    const char type = block[156];
    if (type == 'x' || type == 'L') {  // pax or GNU long-name header for the next entry
      remaining_ = *size;
      auto data = read_extended(*size);
      if (!data) return common::fail(data.error());
      if (auto status = skip((kBlock - *size % kBlock) % kBlock); !status)
        return common::fail(status.error());
      if (type == 'L') {
        long_path = data->substr(0, data->find('\0'));
      } else if (auto status = parse_pax(*data, long_path, pax_size, header_offset); !status) {
        return common::fail(status.error());
      }
      continue;
    }
    if (type == 'g' || type == 'K') {  // global pax records, GNU long link names: unused
      if (auto status = skip(*size + (kBlock - *size % kBlock) % kBlock); !status)
        return common::fail(status.error());
      continue;
    }
    TarEntry entry = make_entry(block, long_path, pax_size, *size);
    if (pax_size) size = pax_size;
    if (file_size_ && (*size > *file_size_ || offset_ > *file_size_ - *size))
      return common::fail(corrupt("truncated entry " + entry.path, header_offset));
    entry.data_offset = offset_;
    remaining_ = *size;
    padding_ = (kBlock - *size % kBlock) % kBlock;
    if (entry.type != TarEntry::Type::kFile) {
      if (auto status = skip(remaining_); !status) return common::fail(status.error());
      remaining_ = 0;
    }
    return entry;
  }
}

}  // namespace satellite::oci_layout
