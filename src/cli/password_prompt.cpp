#include "cli/password_prompt.hpp"

#include <unistd.h>

#include "cli/terminal_echo.hpp"

namespace cli {

common::Result<std::string> read_password(Session& session, bool from_stdin,
                                          std::string_view prompt) {
  std::string password;
  if (from_stdin) {
    std::getline(session.in(), password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return password;
  }
  if (::isatty(STDIN_FILENO) == 0)
    return common::fail(common::ErrorCode::kInvalidArgument,
                        "no terminal to ask for the password: pass it with --password-stdin");
  {
    const auto echo_off = EchoOff::on(STDIN_FILENO);  // back on however this ends
    session.err() << prompt << ": " << std::flush;
    std::getline(session.in(), password);
  }
  session.err() << "\n";
  return password;
}

}  // namespace cli
