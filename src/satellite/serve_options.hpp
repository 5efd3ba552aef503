// ServeOptions: everything `satellite serve` is configured with, validated once by main
// before anything starts.
#pragma once

#include <chrono>
#include <string>

#include "common/http/server.hpp"
#include "registry/registry_config.hpp"

namespace satellite {

struct ServeOptions {
  registry::RegistryConfig registry;
  common::http::ServerConfig server;
  // htpasswd file with bcrypt or argon2id hashes; empty: no authentication.
  std::string htpasswd_file;
  // How often the running server collects garbage; zero disables the schedule.
  std::chrono::seconds gc_interval{3600};
  // Threads for blocking work (fsync, SQLite writes, password hashing).
  unsigned blocking_threads = 2;
  // One info line per request.
  bool access_log = false;
};

}  // namespace satellite
