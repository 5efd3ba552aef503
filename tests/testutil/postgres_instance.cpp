#include "testutil/postgres_instance.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "testutil/child_process.hpp"
#include "testutil/temp_dir.hpp"

extern char** environ;

namespace testutil {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs argv to completion with stdout and stderr in `log`; its exit status.
int run(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int error = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::runtime_error("cannot run " + argv[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::filesystem::path PostgresInstance::bindir() {
  const char* env = std::getenv("PG_BINDIR");
  return env != nullptr && *env != '\0' ? std::filesystem::path(env)
                                        : std::filesystem::path("/usr/lib/postgresql/15/bin");
}

std::unique_ptr<PostgresInstance> PostgresInstance::start() {
  const auto bin = bindir();
  if (::access((bin / "initdb").c_str(), X_OK) != 0 ||
      ::access((bin / "pg_ctl").c_str(), X_OK) != 0) {
    throw std::runtime_error("PostgreSQL 15 server binaries (initdb, pg_ctl) not found in " +
                             bin.string() +
                             ": install the Debian package `postgresql` (scripts/bootstrap "
                             "does), or point PG_BINDIR at them");
  }
  std::unique_ptr<PostgresInstance> pg(new PostgresInstance());
  std::string pattern = (memory_temp_root() / "pg-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  pg->dir_ = pattern;
  if (::geteuid() == 0) {
    // initdb and pg_ctl refuse root: the cluster belongs to the `postgres` user.
    const passwd* user = ::getpwnam("postgres");
    if (user == nullptr) {
      throw std::runtime_error(
          "no `postgres` user to run the test server as: install the "
          "Debian package `postgresql`");
    }
    if (::chown(pg->dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
      throw std::system_error(errno, std::generic_category(), "chown " + pg->dir_.string());
    }
    pg->as_postgres_user_ = true;
  }
  pg->run_as_owner({(bin / "initdb").string(), "-D", (pg->dir_ / "data").string(), "-A", "trust",
                    "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                   "initdb.log");
  // A port free now may be taken before the server binds it: try a few.
  for (int attempt = 0;; ++attempt) {
    pg->port_ = free_loopback_port();
    try {
      pg->start_again();
      return pg;
    } catch (const std::runtime_error&) {
      if (attempt == 2) throw;
    }
  }
}

PostgresInstance::~PostgresInstance() {
  try {
    if (running_) stop();
  } catch (const std::exception&) {
    // The directory goes anyway; a leftover server dies with its data dir's lock file.
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void PostgresInstance::run_as_owner(const std::vector<std::string>& argv,
                                    const std::string& log_name) {
  std::vector<std::string> full;
  if (as_postgres_user_) full = {"runuser", "-u", "postgres", "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  const auto log = dir_ / log_name;
  const int status = run(full, log);
  if (status != 0) {
    throw std::runtime_error(argv[0] + " failed (exit " + std::to_string(status) + "):\n" +
                             read_file(log) + read_file(dir_ / "server.log"));
  }
}

void PostgresInstance::start_again() {
  const std::string options = "-k " + dir_.string() + " -p " + std::to_string(port_) +
                              " -c listen_addresses=127.0.0.1 -c fsync=off"
                              " -c full_page_writes=off -c synchronous_commit=off"
                              " -c max_connections=200";
  run_as_owner({(bindir() / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-l",
                (dir_ / "server.log").string(), "-o", options, "-w", "-t", "30", "start"},
               "pg_ctl.log");
  running_ = true;
}

void PostgresInstance::stop() {
  run_as_owner(
      {(bindir() / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "fast", "-w", "stop"},
      "pg_ctl.log");
  running_ = false;
}

std::string PostgresInstance::url(const std::string& name) const {
  return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

std::string PostgresInstance::create_database(const std::string& name) {
  PGconn* conn = PQconnectdb(url("postgres").c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* result =
        PQexec(conn, ("CREATE DATABASE \"" + name + "\" STRATEGY = FILE_COPY").c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK) error = PQresultErrorMessage(result);
    PQclear(result);
  }
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error("CREATE DATABASE " + name + ": " + error);
  return url(name);
}

}  // namespace testutil
