// read_password: a password for gcctl, read as the user chose: the next line of stdin
// (--password-stdin, for scripts; a trailing CR dropped) or asked on the terminal with echo
// off. kInvalidArgument when it must be asked and stdin is no terminal.
// One thread (the terminal's echo state).
#pragma once

#include <string>
#include <string_view>

#include "cli/session.hpp"
#include "common/result.hpp"

namespace cli {

[[nodiscard]] common::Result<std::string> read_password(Session& session, bool from_stdin,
                                                        std::string_view prompt = "Password");

}  // namespace cli
