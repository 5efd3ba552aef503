#include "gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace testutil::oci_image_gen {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip wrapper
constexpr int kMemLevel = 8;              // zlib's default
constexpr std::size_t kMaxChunk = std::numeric_limits<uInt>::max() / 2;

// Owns an initialised deflate z_stream; deflateEnd runs on destruction.
class Deflater {
 public:
  Deflater() = default;
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  ~Deflater() {
    if (initialised_) deflateEnd(&stream_);
  }

  common::Status init(int level) {
    const int rc =
        deflateInit2(&stream_, level, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) {
      return common::fail(common::ErrorCode::kInternal, "deflateInit2 failed",
                          stream_.msg != nullptr ? stream_.msg : zError(rc));
    }
    initialised_ = true;
    return {};
  }

  z_stream& stream() noexcept { return stream_; }

 private:
  z_stream stream_{};
  bool initialised_ = false;
};

}  // namespace

common::Result<std::string> gzip_compress(std::string_view data, int level) {
  if (level < 0 || level > 9) {
    return common::fail(common::ErrorCode::kInvalidArgument, "gzip level must be 0-9",
                        std::to_string(level));
  }
  Deflater deflater;
  if (auto status = deflater.init(level); !status) return common::fail(status.error());
  z_stream& zs = deflater.stream();

  std::string out;
  // Sized for the first chunk up front; grown below only for inputs past one chunk.
  out.resize(deflateBound(&zs, static_cast<uLong>(std::min<std::size_t>(data.size(), kMaxChunk))));
  std::size_t consumed = 0;
  std::size_t produced = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (zs.avail_in == 0 && consumed < data.size()) {
      const std::size_t chunk = std::min(data.size() - consumed, kMaxChunk);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + consumed));
      zs.avail_in = static_cast<uInt>(chunk);
      consumed += chunk;
    }
    if (produced == out.size()) out.resize(out.size() * 2 + 64);
    const std::size_t room = std::min(out.size() - produced, kMaxChunk);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(room);
    const int flush = (consumed == data.size()) ? Z_FINISH : Z_NO_FLUSH;
    rc = deflate(&zs, flush);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return common::fail(common::ErrorCode::kInternal, "deflate failed",
                          zs.msg != nullptr ? zs.msg : zError(rc));
    }
    produced += room - zs.avail_out;
  }
  out.resize(produced);
  return out;
}

}  // namespace testutil::oci_image_gen
