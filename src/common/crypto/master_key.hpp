// MasterKey: the 32-byte key that SecretBox seals stored secrets with (the CA's private key,
// upstream passwords). It comes from a file only its owner may read (common/fs/secret_file:
// a group- or world-readable file is refused), from an environment value the binary's main
// reads and passes in, or is made and written once, on first start, when the operator asks.
// Both forms hold base64 of the 32 bytes (`openssl rand -base64 32` makes one), padded or
// not, standard or URL-safe alphabet. Each key has an id, a keyed BLAKE2b of a fixed label
// (it reveals nothing about the key), which sealed secrets carry so that, after a
// rotation, the key that sealed one is found among the old keys.
// Move-only; the bytes are wiped when the object dies. Thread-safety: immutable once made.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/fs/file_system.hpp"
#include "common/result.hpp"

namespace common::crypto {

class MasterKey {
 public:
  static constexpr std::size_t kSize = 32;
  static constexpr std::size_t kIdSize = 8;
  static constexpr std::size_t kMaxFileBytes = 1024;

  // A new random key.
  static MasterKey generate();
  // The key of raw `bytes`; kInvalidArgument unless there are exactly 32.
  [[nodiscard]] static Result<MasterKey> from_bytes(std::string_view bytes);
  // The key written as base64 in `text` (surrounding whitespace ignored): an environment
  // value, or a file's contents. kInvalidArgument when it is not base64 of 32 bytes (the
  // message never quotes the text).
  [[nodiscard]] static Result<MasterKey> from_base64(std::string_view text);
  // Reads the key from `path`. kNotFound when absent; kPermissionDenied when group or others
  // may access it; kInvalidArgument when it does not hold base64 of 32 bytes; other I/O
  // errors as posix_error().
  [[nodiscard]] static Result<MasterKey> load_file(const std::string& path,
                                                   fs::FileSystem& fs = fs::posix_file_system());
  // Makes a new key and writes it to `path` (mode 0600, atomically). kAlreadyExists when
  // `path` exists (an existing key is never replaced); other I/O errors as posix_error().
  [[nodiscard]] static Result<MasterKey> create_file(const std::string& path,
                                                     fs::FileSystem& fs = fs::posix_file_system());
  // load_file(), or create_file() when the file is absent; errors as theirs. One process at
  // a time: the caller holds its data directory's lock.
  [[nodiscard]] static Result<MasterKey> load_or_create_file(
      const std::string& path, fs::FileSystem& fs = fs::posix_file_system());

  MasterKey(MasterKey&& other) noexcept;
  MasterKey& operator=(MasterKey&& other) noexcept;
  MasterKey(const MasterKey&) = delete;
  MasterKey& operator=(const MasterKey&) = delete;
  ~MasterKey();

  // The raw key, for SecretBox. Never log or store it.
  const std::array<unsigned char, kSize>& bytes() const noexcept { return key_; }
  // The key's id (kIdSize raw bytes), as sealed secrets carry it.
  std::string_view id() const noexcept;
  // id() as lowercase hex: safe to log, to say which key is which.
  std::string id_hex() const;
  // The key as padded base64, the form files and environment values hold.
  std::string to_base64() const;

 private:
  explicit MasterKey(const unsigned char* bytes);
  std::array<unsigned char, kSize> key_{};
  std::array<char, kIdSize> id_{};
};

}  // namespace common::crypto
