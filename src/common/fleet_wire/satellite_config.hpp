// SatelliteConfig: how ground control wants a satellite to behave, as `GET
// /satellite/v1/config` answers it over mTLS: intervals, the upstream registry with its
// credentials (the password in clear: this call is the only place a satellite gets it),
// proxy mode, runtimes, bandwidth limit, sync window, removal grace, log level, the
// registry's server names. A wire type; ground control keeps its own model of the resource.
// Unknown fields are ignored and absent ones keep their defaults, so an older satellite
// reads a newer ground control.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace common::fleet_wire {

struct SatelliteConfig {
  std::string name;    // the SatelliteConfig resource's name
  std::string digest;  // "sha256:…" of the document: what the state's config.digest names
  std::chrono::seconds state_poll_interval{300};
  std::chrono::seconds heartbeat_interval{60};
  std::string upstream_url;
  std::string upstream_username;
  std::string upstream_password;
  // When the credentials stop working ("" never): a robot account's secret that ground
  // control made for this satellite (spec.upstream.credentialsExpireAt, RFC 3339). The
  // satellite asks for the config again before then.
  std::string upstream_credentials_expire_at;
  // The satellite named the credentials it holds and they stay (spec.upstream.
  // credentialsUnchanged): this answer carries no password, the satellite keeps its own.
  bool upstream_credentials_unchanged = false;
  bool upstream_insecure = false;
  bool proxy_enabled = false;
  std::vector<std::string> proxy_repositories;  // empty: all
  std::vector<std::string> runtimes;
  std::uint64_t bandwidth_limit = 0;  // bytes/s; 0: unlimited
  std::string sync_window;            // "HH:MM-HH:MM"; empty: always
  std::chrono::seconds gc_grace{3600};
  std::string log_level = "info";
  // DNS names and IP addresses the site reaches the registry by (spec.registry.serverNames):
  // what its serving certificate is issued for; empty: no serving certificate.
  std::vector<std::string> registry_server_names;
};

// Reads the document; kInvalidArgument naming the field (`spec.gcGrace: …`).
[[nodiscard]] Result<SatelliteConfig> parse_satellite_config(std::string_view json);

}  // namespace common::fleet_wire
