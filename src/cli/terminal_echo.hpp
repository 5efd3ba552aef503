// EchoOff: a terminal's echo turned off for as long as the guard lives (the password
// prompt), and turned back on when it ends, and also when the process is ended by SIGINT
// (Ctrl-C), SIGTERM, SIGHUP or SIGQUIT meanwhile: a handler restores the terminal, then the
// signal ends the process as it would have. Without it, the user's shell is left with echo off.
// At most one guard at a time (the handlers have one saved state to restore); one thread.
#pragma once

#include <optional>

namespace cli {

class EchoOff {
 public:
  // Turns echo off on terminal `fd`; nullopt when `fd` is not a terminal (nothing changed).
  [[nodiscard]] static std::optional<EchoOff> on(int fd);
  EchoOff(EchoOff&& other) noexcept;
  EchoOff& operator=(EchoOff&&) = delete;
  ~EchoOff();

 private:
  EchoOff() = default;
  bool active_ = false;
};

}  // namespace cli
