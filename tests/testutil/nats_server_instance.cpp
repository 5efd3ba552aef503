#include "testutil/nats_server_instance.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "testutil/child_process.hpp"
#include "testutil/temp_dir.hpp"

namespace testutil {
namespace {

constexpr const char* kServerBinary = "/usr/sbin/nats-server";

bool accepts_connections(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

}  // namespace

NatsServerInstance::NatsServerInstance(std::string extra_config)
    : extra_config_(std::move(extra_config)) {}

std::unique_ptr<NatsServerInstance> NatsServerInstance::start(const std::string& extra_config) {
  if (::access(kServerBinary, X_OK) != 0) {
    throw std::runtime_error(std::string(kServerBinary) +
                             " not found: install the Debian package `nats-server` "
                             "(scripts/bootstrap does)");
  }
  std::unique_ptr<NatsServerInstance> server(new NatsServerInstance(extra_config));
  std::string pattern = (memory_temp_root() / "nats-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  server->dir_ = pattern;
  // A port free now may be taken before the server binds it: try a few.
  for (int attempt = 0;; ++attempt) {
    server->port_ = free_loopback_port();
    try {
      server->start_again();
      return server;
    } catch (const std::runtime_error&) {
      server->process_.reset();
      if (attempt == 2) throw;
    }
  }
}

NatsServerInstance::~NatsServerInstance() {
  process_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string NatsServerInstance::url() const {
  return "nats://127.0.0.1:" + std::to_string(port_);
}

std::string NatsServerInstance::log() const {
  std::ifstream in(dir_ / "server.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void NatsServerInstance::stop() {
  process_.reset();
}

void NatsServerInstance::start_again() {
  if (process_) return;
  const auto config = dir_ / "nats.conf";
  {
    std::ofstream out(config, std::ios::trunc);
    out << "listen: 127.0.0.1:" << port_ << "\n"
        << "jetstream {\n  store_dir: \"" << (dir_ / "jetstream").string() << "\"\n"
        << "  max_memory_store: 64MB\n  max_file_store: 256MB\n}\n"
        << extra_config_ << "\n";
    if (!out) throw std::runtime_error("cannot write " + config.string());
  }
  process_ =
      std::make_unique<ChildProcess>(std::vector<std::string>{kServerBinary, "-c", config.string()},
                                     (dir_ / "server.log").string());
  wait_until_listening();
}

void NatsServerInstance::wait_until_listening() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(process_->pid(), &status, WNOHANG) == process_->pid()) {
      process_->forget();
      process_.reset();
      throw std::runtime_error("nats-server exited at start:\n" + log());
    }
    if (accepts_connections(port_)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  process_.reset();
  throw std::runtime_error("nats-server did not listen on port " + std::to_string(port_) +
                           " within 10 s:\n" + log());
}

}  // namespace testutil
