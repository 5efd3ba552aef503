#include "satellite/process_signals.hpp"

#include <malloc.h>

#include <thread>

#include "common/fs/fd_limit.hpp"

namespace satellite {

sigset_t prepare_process(const common::log::Logger& logger) {
  // Large buffers (manifest bodies, up to 8 MiB) come from mmap and go back to the kernel
  // when freed: glibc would otherwise raise its mmap threshold after the first one and keep
  // every later one in a heap that never shrinks, so resident memory would ratchet up to the
  // sum of all pool threads' peaks. Two arenas bound the same ratchet across threads.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  mallopt(M_ARENA_MAX, 2);
  // Signals are taken by one thread with sigwait, not by handlers inside the servers: block
  // them before any other thread starts so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGUSR1);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  // Every connection, blob and SQLite handle costs a descriptor, and a shell's soft limit
  // (often 1024) is far below what the hard limit allows. Raising it is process policy, so
  // it is done here rather than inside the server, which only sizes its limit from it.
  if (auto limit = common::fs::raise_fd_limit(); !limit)
    logger->warn("cannot raise the fd limit: {}", limit.error().message());
  return signals;
}

void serve_until_signalled(RegistryApp& app, const sigset_t& signals,
                           const common::log::Logger& logger,
                           const std::function<void()>& before_stop) {
  std::jthread waiter([&] {
    for (;;) {
      int received = 0;
      sigwait(&signals, &received);
      if (received == SIGUSR1) {
        logger->info("garbage collection requested");
        app.trigger_gc();
        continue;
      }
      if (received == SIGHUP) {
        // New connections use the reloaded certificate and CA files; open ones keep theirs.
        if (auto reloaded = app.reload_tls(); !reloaded) {
          logger->error("TLS reload failed, keeping the current files: {} {}",
                        reloaded.error().message(), reloaded.error().detail());
        } else {
          logger->info("TLS certificate and CA files reloaded");
        }
        continue;
      }
      logger->info("signal {}: finishing in-flight requests", received);
      if (before_stop) before_stop();
      app.stop();
      return;
    }
  });
  app.run();
  logger->info("stopped");
  // The waiter may still be blocked in sigwait: wake it so it can be joined.
  ::pthread_kill(waiter.native_handle(), SIGTERM);
}

}  // namespace satellite
