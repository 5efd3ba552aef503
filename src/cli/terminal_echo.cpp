#include "cli/terminal_echo.hpp"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <utility>

namespace cli {
namespace {

constexpr std::array<int, 4> kSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// What the signal handler restores. A handler reaches no object, so this is file-static:
// written only while no handler is installed, read only by the handler and the guard.
struct SavedTerminal {
  int fd = -1;
  termios settings{};
  std::array<struct sigaction, kSignals.size()> previous{};
  std::array<bool, kSignals.size()> installed{};
};
SavedTerminal saved_terminal;

void restore_signals() {
  for (std::size_t i = 0; i < kSignals.size(); ++i)
    if (saved_terminal.installed[i]) ::sigaction(kSignals[i], &saved_terminal.previous[i], nullptr);
}

// Only async-signal-safe calls: tcsetattr, sigaction, raise. The signal is blocked while the
// handler runs, so the raised one is delivered with its previous (default) action after.
extern "C" void restore_and_reraise(int signal_number) {
  ::tcsetattr(saved_terminal.fd, TCSANOW, &saved_terminal.settings);
  restore_signals();
  ::raise(signal_number);
}

}  // namespace

std::optional<EchoOff> EchoOff::on(int fd) {
  termios settings{};
  if (::isatty(fd) == 0 || ::tcgetattr(fd, &settings) != 0) return std::nullopt;
  saved_terminal.fd = fd;
  saved_terminal.settings = settings;
  struct sigaction handler {};
  handler.sa_handler = restore_and_reraise;
  ::sigemptyset(&handler.sa_mask);
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    ::sigaction(kSignals[i], nullptr, &saved_terminal.previous[i]);
    // A signal the process ignores stays ignored; one with its own handler keeps it.
    const auto& previous = saved_terminal.previous[i];
    saved_terminal.installed[i] =
        (previous.sa_flags & SA_SIGINFO) == 0 && previous.sa_handler == SIG_DFL;
    if (saved_terminal.installed[i]) ::sigaction(kSignals[i], &handler, nullptr);
  }
  auto quiet = settings;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(fd, TCSANOW, &quiet);
  EchoOff guard;
  guard.active_ = true;
  return guard;
}

EchoOff::EchoOff(EchoOff&& other) noexcept : active_(std::exchange(other.active_, false)) {}

EchoOff::~EchoOff() {
  if (!active_) return;
  ::tcsetattr(saved_terminal.fd, TCSANOW, &saved_terminal.settings);
  restore_signals();
  saved_terminal.installed = {};
}

}  // namespace cli
