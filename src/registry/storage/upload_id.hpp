// UploadId: the unguessable name of an upload session: 32 random bytes from the OS CSPRNG,
// hex-encoded. parse() accepts only that shape, so an id is safe in a path. Value type.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace registry::storage {

class UploadId {
 public:
  // A fresh random id.
  static UploadId generate();
  // kBlobUploadUnknown unless `text` is 64 lowercase hex characters.
  [[nodiscard]] static common::Result<UploadId> parse(std::string_view text);

  const std::string& str() const noexcept { return value_; }
  friend bool operator==(const UploadId&, const UploadId&) = default;

 private:
  explicit UploadId(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

}  // namespace registry::storage

template <>
struct std::hash<registry::storage::UploadId> {
  std::size_t operator()(const registry::storage::UploadId& id) const noexcept {
    return std::hash<std::string>{}(id.str());
  }
};
