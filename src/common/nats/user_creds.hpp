// format_user_creds(): the `.creds` file a NATS client loads (libnats'
// natsOptions_SetUserCredentialsFromFiles, the nats CLI's --creds), in the exact layout of
// nats-io/jwt's FormatUserConfig: the user JWT between "NATS USER JWT" markers, a warning,
// and the user seed between "USER NKEY SEED" markers. Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "common/nats/nkey.hpp"
#include "common/result.hpp"

namespace common::nats {

// The text of the `.creds` file for `jwt` and its user's key. kInvalidArgument when `jwt`
// is no valid user JWT (see decode_and_verify) or `user` is not the key it was issued to.
// The text holds the seed: write it as a secret file (common/fs/secret_file.hpp).
[[nodiscard]] Result<std::string> format_user_creds(std::string_view jwt, const Nkey& user);

}  // namespace common::nats
