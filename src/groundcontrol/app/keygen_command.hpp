// The `ground-control keygen` command: a new cosign signing key pair, as `cosign
// generate-key-pair --output-key-prefix PREFIX` writes it: PREFIX.key (mode 0600, PEM
// "ENCRYPTED SIGSTORE PRIVATE KEY", scrypt + nacl/secretbox under the passphrase) and
// PREFIX.pub (PEM "PUBLIC KEY"). cosign itself signs with the one and verifies with the other
// (docs/signatures.md). The passphrase comes from --password-file, else from COSIGN_PASSWORD
// as cosign reads it (set, even to empty, is a passphrase). Neither file is ever replaced:
// when one exists nothing is written. Each file is created exclusively, written, fsynced,
// then its directory fsynced; a failure removes what this call wrote.
#pragma once

#include <optional>
#include <string>

#include "common/result.hpp"

namespace groundcontrol::app {

struct KeygenOptions {
  std::string output_key_prefix = "cosign";  // writes PREFIX.key and PREFIX.pub (cosign's default)
  std::string password_file;                 // passphrase file (one trailing newline dropped)
};

// Writes the pair, printing both paths on stdout. `env_password` is COSIGN_PASSWORD when
// set. kInvalidArgument when no passphrase is given (neither --password-file nor
// COSIGN_PASSWORD); kNotFound when PREFIX's directory or the password file is missing;
// kAlreadyExists when PREFIX.key or PREFIX.pub exists; kPermissionDenied when the password
// file is readable by group or others; I/O errors otherwise. Each message is one line
// naming the file.
[[nodiscard]] common::Status keygen_command(const KeygenOptions& options,
                                            const std::optional<std::string>& env_password);

}  // namespace groundcontrol::app
