// Reading the cosign key files ground control signs state artifacts with: the private key
// `ground-control keygen` (or `cosign generate-key-pair`) wrote, its passphrase, and the
// public keys satellites keep trusting during a rotation. Errors are one line naming the
// file, for main to print.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/cosign_key.hpp"
#include "common/result.hpp"

namespace groundcontrol::app {

// The passphrase: the content of `password_file` without one trailing newline (the file
// must be 0600), else `env_password` (COSIGN_PASSWORD when set, even empty, as cosign reads
// it). kInvalidArgument when neither is given, naming `flag`; kNotFound, kPermissionDenied.
[[nodiscard]] common::Result<std::string> read_passphrase(
    const std::string& password_file, std::string_view flag,
    const std::optional<std::string>& env_password);

// The signing key in `key_file`, decrypted with that passphrase. kNotFound; kInvalidArgument
// for a file that is no cosign private key; kPermissionDenied for a wrong passphrase.
[[nodiscard]] common::Result<common::crypto::CosignKey> load_signing_key(
    const std::string& key_file, const std::string& password_file,
    const std::optional<std::string>& env_password);

// The PEM text of each public key file, checked to be a cosign (P-256) public key.
[[nodiscard]] common::Result<std::vector<std::string>> read_public_keys(
    const std::vector<std::string>& files);

}  // namespace groundcontrol::app
