// PostgresInstance: a throw-away PostgreSQL 15 cluster for one test binary. start() runs
// initdb into a fresh temp dir (in /dev/shm when there is one; as the `postgres` user when
// the tests run as root: initdb and pg_ctl refuse root, so the dir is handed to that user) and
// `pg_ctl -w start` on a free 127.0.0.1 port, with its socket inside the temp dir and durability
// off (fsync, full page writes, synchronous commit: speed, not crash safety). Each test takes a
// fresh database from create_database(). restart()/stop()/start_again() let tests take the server
// away under live connections. The destructor stops it (fast) and removes the directory. Failures
// throw std::runtime_error with the reason; a missing server names the Debian package to install,
// so tests fail rather than skip. Not copyable; one owner; not thread-safe (tests call it from
// their main thread).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace testutil {

class PostgresInstance {
 public:
  // Where initdb/pg_ctl live: $PG_BINDIR, else Debian's /usr/lib/postgresql/15/bin.
  static std::filesystem::path bindir();
  // A running cluster; throws std::runtime_error when it cannot be started.
  static std::unique_ptr<PostgresInstance> start();
  ~PostgresInstance();
  PostgresInstance(const PostgresInstance&) = delete;
  PostgresInstance& operator=(const PostgresInstance&) = delete;

  // Creates database `name` (letters, digits, _) and returns its postgres:// URL.
  std::string create_database(const std::string& name);
  // The URL of database `name` on this server (which may be stopped).
  std::string url(const std::string& name) const;
  std::uint16_t port() const noexcept { return port_; }

  // `pg_ctl -m fast stop`: the server ends every connection and is gone until start_again().
  void stop();
  // Starts the stopped server again on the same port and data.
  void start_again();
  // stop() then start_again().
  void restart() {
    stop();
    start_again();
  }

 private:
  PostgresInstance() = default;
  void run_as_owner(const std::vector<std::string>& argv, const std::string& log_name);

  std::filesystem::path dir_;  // owned by the server's user; holds data/, the socket, logs
  std::uint16_t port_ = 0;
  bool running_ = false;
  bool as_postgres_user_ = false;
};

}  // namespace testutil
