#include "tar_writer.hpp"

#include <array>
#include <cstring>

namespace testutil::oci_image_gen {
namespace {

constexpr std::size_t kBlockSize = 512;
constexpr std::size_t kNameSize = 100;
constexpr std::size_t kPrefixSize = 155;
constexpr std::uint64_t kMaxSize = (std::uint64_t{1} << 33) - 1;  // 11 octal digits
constexpr char kTypeFile = '0';
constexpr char kTypeDirectory = '5';

// Field offsets of the ustar header (POSIX.1-1988).
constexpr std::size_t kOffName = 0;
constexpr std::size_t kOffMode = 100;
constexpr std::size_t kOffUid = 108;
constexpr std::size_t kOffGid = 116;
constexpr std::size_t kOffSize = 124;
constexpr std::size_t kOffMtime = 136;
constexpr std::size_t kOffChecksum = 148;
constexpr std::size_t kOffTypeFlag = 156;
constexpr std::size_t kOffMagic = 257;
constexpr std::size_t kOffVersion = 263;
constexpr std::size_t kOffUname = 265;
constexpr std::size_t kOffGname = 297;
constexpr std::size_t kOffDevMajor = 329;
constexpr std::size_t kOffDevMinor = 337;
constexpr std::size_t kOffPrefix = 345;

using Header = std::array<char, kBlockSize>;

// Writes `value` as zero-padded octal filling `width - 1` digits plus a NUL terminator.
void put_octal(Header& header, std::size_t offset, std::size_t width, std::uint64_t value) {
  for (std::size_t i = width - 1; i-- > 0;) {
    header[offset + i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  header[offset + width - 1] = '\0';
}

void put_string(Header& header, std::size_t offset, std::string_view text) {
  if (text.empty()) return;  // an empty view may have a null data(): memcpy must not see it
  std::memcpy(header.data() + offset, text.data(), text.size());
}

// Splits `path` into ustar (prefix, name); false if it cannot be represented.
bool split_path(std::string_view path, std::string_view& prefix, std::string_view& name) {
  if (path.size() <= kNameSize) {
    prefix = {};
    name = path;
    return true;
  }
  // The split must happen at a '/', with name <= 100 and prefix <= 155 bytes.
  for (std::size_t slash = path.find('/'); slash != std::string_view::npos;
       slash = path.find('/', slash + 1)) {
    if (slash > kPrefixSize) break;
    if (path.size() - slash - 1 <= kNameSize && slash + 1 < path.size()) {
      prefix = path.substr(0, slash);
      name = path.substr(slash + 1);
      return true;
    }
  }
  return false;
}

}  // namespace

common::Status TarWriter::add_directory(std::string_view path) {
  std::string dir(path);
  if (!dir.empty() && dir.back() != '/') dir.push_back('/');
  return add_entry(dir, kTypeDirectory, {});
}

common::Status TarWriter::add_file(std::string_view path, std::string_view content) {
  if (!path.empty() && path.back() == '/') {
    return common::fail(common::ErrorCode::kInvalidArgument, "tar file path ends in '/'",
                        std::string(path));
  }
  return add_entry(path, kTypeFile, content);
}

common::Status TarWriter::add_entry(std::string_view path, char type_flag,
                                    std::string_view content) {
  if (path.empty() || path.front() == '/') {
    return common::fail(common::ErrorCode::kInvalidArgument, "tar path must be relative",
                        std::string(path));
  }
  if (content.size() > kMaxSize) {
    return common::fail(common::ErrorCode::kInvalidArgument, "tar entry too large for ustar",
                        std::string(path));
  }
  std::string_view prefix;
  std::string_view name;
  if (!split_path(path, prefix, name)) {
    return common::fail(common::ErrorCode::kInvalidArgument, "tar path too long for ustar",
                        std::string(path));
  }

  Header header{};
  put_string(header, kOffName, name);
  put_octal(header, kOffMode, 8, type_flag == kTypeDirectory ? 0755 : 0644);
  put_octal(header, kOffUid, 8, 0);
  put_octal(header, kOffGid, 8, 0);
  put_octal(header, kOffSize, 12, content.size());
  put_octal(header, kOffMtime, 12, static_cast<std::uint64_t>(kMtime));
  header[kOffTypeFlag] = type_flag;
  put_string(header, kOffMagic, std::string_view("ustar\0", 6));
  put_string(header, kOffVersion, "00");
  put_string(header, kOffUname, "root");
  put_string(header, kOffGname, "root");
  put_octal(header, kOffDevMajor, 8, 0);
  put_octal(header, kOffDevMinor, 8, 0);
  put_string(header, kOffPrefix, prefix);

  // The checksum is computed with its own field read as eight spaces, then stored as six
  // octal digits, a NUL and a space.
  std::memset(header.data() + kOffChecksum, ' ', 8);
  std::uint64_t sum = 0;
  for (char c : header) sum += static_cast<unsigned char>(c);
  put_octal(header, kOffChecksum, 7, sum);
  header[kOffChecksum + 7] = ' ';

  buffer_.append(header.data(), header.size());
  buffer_.append(content);
  const std::size_t padding = (kBlockSize - content.size() % kBlockSize) % kBlockSize;
  buffer_.append(padding, '\0');
  return {};
}

std::string TarWriter::finish() {
  buffer_.append(2 * kBlockSize, '\0');
  std::string out = std::move(buffer_);
  buffer_.clear();
  return out;
}

}  // namespace testutil::oci_image_gen
