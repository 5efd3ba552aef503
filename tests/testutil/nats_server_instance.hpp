// NatsServerInstance: a throw-away `nats-server` (Debian's 2.9) for one test, on a free
// 127.0.0.1 port, with JetStream on and its store in a fresh temp dir. `extra_config` is
// appended to the generated config verbatim (operator mode, TLS, leaf nodes). stop() kills
// the server (SIGKILL: what a crash or a lost link looks like to clients) and start_again()
// brings it back on the same port with the same JetStream store, so tests can take NATS away
// under live clients and check that nothing stored is lost. The destructor kills it and
// removes the directory. Failures throw std::runtime_error with the server's log; a missing
// binary names the Debian package, so tests fail rather than skip. Not copyable; one owner;
// not thread-safe (tests call it from their main thread).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace testutil {

class ChildProcess;

class NatsServerInstance {
 public:
  // A running server; throws std::runtime_error when it cannot be started within 10 s.
  static std::unique_ptr<NatsServerInstance> start(const std::string& extra_config = "");
  ~NatsServerInstance();
  NatsServerInstance(const NatsServerInstance&) = delete;
  NatsServerInstance& operator=(const NatsServerInstance&) = delete;

  // "nats://127.0.0.1:PORT" (the client URL; "tls://…" when the config turns TLS on is
  // the caller's business, the port is the same).
  std::string url() const;
  std::uint16_t port() const noexcept { return port_; }
  // The temp dir: config, log, JetStream store; tests may put key and JWT files here.
  const std::filesystem::path& dir() const noexcept { return dir_; }
  // The server's log so far (for failure messages).
  std::string log() const;

  void stop();
  void start_again();
  // The extra config the next start_again() uses (a server that comes back configured
  // otherwise, say refusing its clients).
  void reconfigure(std::string extra_config) { extra_config_ = std::move(extra_config); }

 private:
  explicit NatsServerInstance(std::string extra_config);
  void wait_until_listening();

  std::filesystem::path dir_;
  std::string extra_config_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace testutil
