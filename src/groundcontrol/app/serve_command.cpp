#include "groundcontrol/app/serve_command.hpp"

#include <pthread.h>
#include <signal.h>
#include <spdlog/logger.h>

#include <cstdio>
#include <thread>

#include "common/fs/fd_limit.hpp"
#include "groundcontrol/app/ground_control_app.hpp"

namespace groundcontrol::app {

common::Status serve_command(const GroundControlOptions& options, common::log::Logger logger) {
  // Signals go to one sigwait thread: block them before any other thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  // Thousands of satellites hold a connection each (their long-poll).
  if (auto limit = common::fs::raise_fd_limit(); !limit)
    logger->warn("cannot raise the fd limit: {}", limit.error().message());

  auto app = GroundControlApp::create(options, logger);
  if (!app) return common::fail(app.error());
  std::printf("management listening on %s\n", (*app)->management_address().c_str());
  std::printf("satellite listening on %s\n", (*app)->satellite_address().c_str());
  std::printf("ca certificate %s (sha256:%s)\n", (*app)->ca_file().c_str(),
              (*app)->ca_fingerprint().c_str());
  if (const auto password = (*app)->generated_admin_password())
    std::printf("admin password (shown once): %s\n", password->c_str());
  std::fflush(stdout);
  std::jthread waiter([&] {
    int received = 0;
    sigwait(&signals, &received);
    logger->info("signal {}: finishing in-flight requests", received);
    (*app)->stop();
  });
  (*app)->run();
  logger->info("stopped");
  ::pthread_kill(waiter.native_handle(), SIGTERM);
  return {};
}

}  // namespace groundcontrol::app
