// How a satellite process serves until it is told to stop: process-wide policy set once
// before any thread starts (malloc tuning, the signal mask, the fd limit), then one thread
// taking SIGTERM/SIGINT (drain and stop), SIGUSR1 (collect garbage now) and SIGHUP (reload
// the TLS files) with sigwait while the registry serves. Shared by `serve` and `run`.
#pragma once

#include <signal.h>

#include <functional>

#include "common/log/logger.hpp"
#include "satellite/registry_app.hpp"

namespace satellite {

// Tunes malloc, blocks the signals above in the calling thread (so every thread started
// later inherits the mask), ignores SIGPIPE and raises the fd limit. Returns the set.
sigset_t prepare_process(const common::log::Logger& logger);

// Runs `app` until SIGTERM or SIGINT; `before_stop` runs first (e.g. stops the agent) on
// the signal thread, then the registry drains.
void serve_until_signalled(RegistryApp& app, const sigset_t& signals,
                           const common::log::Logger& logger,
                           const std::function<void()>& before_stop = {});

}  // namespace satellite
