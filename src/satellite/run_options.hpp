// RunOptions: everything `satellite run` (the registry and the agent in one process) is
// configured with, validated once by main before anything starts.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/config/host_port.hpp"
#include "satellite/agent/agent.hpp"
#include "satellite/serve_options.hpp"

namespace satellite {

struct UpstreamOptions {
  std::string url;       // overrides the state's upstream when set
  std::string username;  // empty: anonymous (or the token flow without credentials)
  std::string password;  // from --upstream-password-file or SATELLITE_UPSTREAM_PASSWORD
  bool insecure_skip_verify = false;
  std::string ca_file;
};

struct RunOptions {
  ServeOptions serve;
  std::string version;  // reported in heartbeats
  // Headless: the desired state from this file (satellite state or Harbor state file).
  std::string state_file;
  // Fleet: ground control's satellite API, enrollment token, trust in its CA.
  std::string ground_control_url;
  std::string token;
  std::string enrollment_name;  // without a token: ask to join under this name
  std::vector<std::pair<std::string, std::string>> enrollment_labels;
  std::string ca_file;
  std::string ca_fingerprint;
  // Registry-only: no ground control at all; the signed state artifacts it publishes
  // (docs/state-artifacts.md) read from this registry, as satellite `satellite_name`,
  // trusting the cosign public keys in `state_key_files`, with the upstream credentials.
  std::string state_registry_url;
  std::string state_project = "satellite";
  std::vector<std::string> state_key_files;
  std::string satellite_name;
  // Instead of enrolling: a certificate and key someone else keeps fresh (SPIRE's SVID,
  // for a ground control that trusts SPIRE's bundle; docs/api.md).
  std::string identity_cert_file;
  std::string identity_key_file;
  std::chrono::seconds state_poll_interval{300};
  std::chrono::seconds state_wait{60};  // how long one long-poll is held open
  // Fleet: an HTTPS listener of the registry, HOST:PORT (empty: none), with the serving
  // certificate ground control issues for the config's spec.registry.serverNames.
  std::optional<common::config::HostPort> tls_listen;
  // Fleet: NATS servers for ground control's push channel (empty: long-poll only). Ground
  // control's credentials may name others, which then win.
  std::vector<std::string> nats_servers;
  std::string nats_domain;  // the hub's JetStream domain behind a leaf node
  UpstreamOptions upstream;
  agent::AgentSettings agent;
  std::uint64_t bandwidth_limit = 0;  // bytes/s; 0: unlimited
  // Pull-through proxy: pulls of what no state names are fetched from upstream on demand.
  bool proxy = false;
  std::vector<std::string> proxy_repositories;  // allowed; empty: all
  std::uint64_t proxy_disk_quota = 0;           // stored bytes before eviction; 0: none
  std::chrono::seconds proxy_tag_ttl{60};       // a proxied tag is checked upstream this often
  unsigned parallel_blobs = 8;  // a blob in flight waits on the upstream: more hide its latency
};

}  // namespace satellite
