// load_or_make_nats_user_key(): the satellite's own NATS user nkey (docs/adr/0008), kept as
// its seed in `<identity-dir>/nats-user.nk` (0600, written atomically like the device key):
// made at first start, loaded afterwards. Only the public key ever leaves the device (in
// the credentials request); the seed signs the server's nonce at each connect.
// Thread-safety: call once at start, before the NATS channel runs.
#pragma once

#include <string>

#include "common/fs/file_system.hpp"
#include "common/nats/nkey.hpp"
#include "common/result.hpp"

namespace satellite::fleet {

// The file's path in `identity_dir`.
[[nodiscard]] std::string nats_user_key_file(const std::string& identity_dir);

// The key stored in `identity_dir`, or a new one stored there. Errors: the file system's,
// kPermissionDenied for a seed file others may read, kInvalidArgument for a file that holds
// no user seed (it is left alone for a person to look at).
[[nodiscard]] common::Result<common::nats::Nkey> load_or_make_nats_user_key(
    const std::string& identity_dir, common::fs::FileSystem& fs = common::fs::posix_file_system());

}  // namespace satellite::fleet
