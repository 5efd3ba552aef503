// SatelliteConfig: how a set of satellites behaves (intervals, the upstream registry and
// its credentials, proxy mode, runtimes, bandwidth, sync window, GC grace, log level). A
// config named "default" always exists. registry.serverNames are the names and addresses
// the satellites' local registry answers to on their site, those their serving certificate
// carries. The upstream password is write-only: a request may
// set it, a response only says whether one is set; the service seals it at rest and hands
// it to satellites over mTLS only. Plain value type and its JSON codec.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace groundcontrol::model {

struct SatelliteConfigSpec {
  std::chrono::seconds state_poll_interval{300};
  std::chrono::seconds heartbeat_interval{60};
  std::string upstream_url;  // e.g. "https://harbor.example:443"
  std::string upstream_username;
  std::optional<std::string> upstream_password;  // only in requests; never in responses
  bool upstream_password_set = false;            // in responses
  // Grows with every change of the password (server-kept, ignored in requests), so the
  // config's digest, and with it every member's state, changes when only the secret did.
  std::int64_t credentials_generation = 0;
  bool upstream_insecure = false;               // skip TLS verification (explicit)
  bool proxy_enabled = false;                   // pull-through for what no state names
  std::vector<std::string> proxy_repositories;  // allowed in proxy mode; empty: all
  std::vector<std::string> runtimes;            // containerd, crio, podman, docker, k3s
  std::uint64_t bandwidth_limit = 0;            // bytes/s; 0: unlimited
  std::string sync_window;                      // "HH:MM-HH:MM" local time; empty: always
  std::chrono::seconds gc_grace{3600};
  std::string log_level = "info";
  // DNS names and IP literals (server_name.hpp), at most kMaxServerNames; the first is the
  // serving certificate's CN. Empty: no serving certificate.
  std::vector<std::string> registry_server_names;
};

// Reads `spec` of a SatelliteConfig; kInvalidArgument naming the field.
[[nodiscard]] common::Result<SatelliteConfigSpec> parse_satellite_config_spec(
    const nlohmann::json* value);
// The spec as responses show it (no password, passwordSet instead).
nlohmann::json to_json(const SatelliteConfigSpec& spec);

}  // namespace groundcontrol::model
