#include "groundcontrol/app/keygen_command.hpp"

#include <fcntl.h>

#include <fmt/format.h>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "common/crypto/cosign_key.hpp"
#include "common/fs/file_ops.hpp"
#include "groundcontrol/app/signing_key_files.hpp"

namespace groundcontrol::app {
namespace {

using common::ErrorCode;
using common::fail;
namespace fs = std::filesystem;

// main prints only the message: the kernel's reason goes into it.
common::Error one_line(const common::Error& error) {
  if (error.detail().empty()) return error;
  return common::Error(error.code(), fmt::format("{}: {}", error.message(), error.detail()));
}

// Neither file of the pair exists, and their directory does.
common::Status check_targets(const std::string& prefix, const std::string& key,
                             const std::string& pub) {
  std::error_code ec;
  const fs::path dir = fs::path(prefix).has_parent_path() ? fs::path(prefix).parent_path() : ".";
  if (!fs::is_directory(dir, ec))
    return fail(ErrorCode::kNotFound,
                fmt::format("--output-key-prefix: no directory {}", dir.string()));
  for (const auto& path : {key, pub}) {
    if (fs::exists(fs::symlink_status(path, ec)))
      return fail(ErrorCode::kAlreadyExists,
                  fmt::format("{} exists: refusing to overwrite it (remove it or choose another "
                              "--output-key-prefix)",
                              path));
  }
  return {};
}

// Creates `path` (never replacing a file), writes `data`, makes it durable; on failure
// nothing is left at `path`.
common::Status create_file(const std::string& path, std::string_view data, int mode) {
  auto fd = common::fs::open_file(path, O_WRONLY | O_CREAT | O_EXCL, mode);
  if (!fd) {
    if (fd.error().code() == ErrorCode::kAlreadyExists)
      return fail(ErrorCode::kAlreadyExists,
                  fmt::format("{} exists: refusing to overwrite it", path));
    return fail(one_line(fd.error()));
  }
  auto ok = common::fs::write_all(fd->get(), data, path);
  if (ok) ok = common::fs::sync_fd(fd->get(), path);
  if (ok) ok = common::fs::sync_dir(common::fs::parent_dir(path));
  if (!ok) {
    std::error_code ec;
    fs::remove(path, ec);
    return fail(one_line(ok.error()));
  }
  return {};
}

}  // namespace

common::Status keygen_command(const KeygenOptions& options,
                              const std::optional<std::string>& env_password) {
  const auto& prefix = options.output_key_prefix;
  if (prefix.empty() || prefix.ends_with('/'))
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("--output-key-prefix: '{}' names no file", prefix));
  const auto key_path = prefix + ".key";
  const auto pub_path = prefix + ".pub";
  if (auto ok = check_targets(prefix, key_path, pub_path); !ok) return ok;
  auto secret = read_passphrase(options.password_file, "--password-file", env_password);
  if (!secret) return fail(secret.error());

  auto key = common::crypto::CosignKey::generate();
  if (!key) return fail(one_line(key.error()));
  auto encrypted = key->encrypted_pem(*secret);
  if (!encrypted) return fail(one_line(encrypted.error()));
  auto pub = key->public_key_pem();
  if (!pub) return fail(one_line(pub.error()));

  if (auto ok = create_file(key_path, *encrypted, 0600); !ok) return ok;
  if (auto ok = create_file(pub_path, *pub, 0644); !ok) {
    std::error_code ec;
    fs::remove(key_path, ec);  // a private key without its public half is of no use
    return ok;
  }
  std::printf("Private key written to %s\nPublic key written to %s\n", key_path.c_str(),
              pub_path.c_str());
  return {};
}

}  // namespace groundcontrol::app
