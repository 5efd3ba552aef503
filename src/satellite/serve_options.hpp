// ServeOptions: everything `satellite serve` is configured with, validated once by main
// before anything starts.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "common/http/server.hpp"
#include "registry/http/login_rate_limiter.hpp"
#include "registry/registry_config.hpp"

namespace satellite {

struct ServeOptions {
  registry::RegistryConfig registry;
  common::http::ServerConfig server;
  // htpasswd file with bcrypt or argon2id hashes; empty: no authentication.
  std::string htpasswd_file;
  // How often the running server collects garbage; zero disables the schedule.
  std::chrono::seconds gc_interval{3600};
  // Threads for blocking work (fsync, SQLite writes); never used for password checks.
  unsigned blocking_threads = 2;
  // Threads that check passwords (bcrypt, argon2id), a pool of their own; at least 1.
  unsigned auth_threads = 1;
  // Password checks waiting or running at most; more are answered 429 at once. At least 1.
  std::size_t auth_max_pending = 64;
  // Failed logins allowed per client address (burst, refill, addresses tracked).
  registry::http::LoginRateLimiterConfig login_limits;
  // One info line per request.
  bool access_log = false;
};

}  // namespace satellite
