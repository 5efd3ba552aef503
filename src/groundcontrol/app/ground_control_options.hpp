// GroundControlOptions: everything `ground-control serve` is told, parsed and validated by
// main (flags, a YAML config file, the environment). One field per knob, with its default.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/config/host_port.hpp"
#include "common/http/server.hpp"

namespace groundcontrol::app {

struct GroundControlOptions {
  std::string data_dir;           // the SQLite database, the master key, TLS files
  std::string database;           // "postgres://…"; empty: <data_dir>/groundcontrol.db
  std::string master_key_file;    // empty: <data_dir>/master.key (made 0600 on first start)
  std::string master_key_base64;  // GROUND_CONTROL_MASTER_KEY: wins over the file
  common::config::HostPort management_listen{"127.0.0.1", 8080};
  common::config::HostPort satellite_listen{"127.0.0.1", 8443};
  // Names and addresses ground control's own server certificate is issued for.
  std::vector<std::string> server_names{"localhost", "127.0.0.1"};
  // Server certificate files given instead of one from the built-in CA.
  std::string tls_cert_file;
  std::string tls_key_file;
  bool insecure_http = false;  // the management listener without TLS (logged as a warning)
  std::string admin_password;  // first start only; empty: a random one, printed once
  std::string trust_domain = "groundcontrol.local";
  // An external CA bundle (a SPIRE server's) trusted for satellite certificates, and the
  // SPIFFE ID prefix under which its IDs name satellites ("spiffe://example.org/satellite/").
  std::string external_ca_bundle;
  std::string external_spiffe_prefix;
  std::chrono::seconds certificate_validity{30 * 24 * 3600};
  std::chrono::seconds token_lifetime{24 * 3600};
  std::chrono::seconds session_lifetime{12 * 3600};  // of a login's bearer token
  // The NATS command channel (docs/adr/0008; none when `nats` is empty): the servers ground
  // control connects to, the ones satellites are told (empty: the same), the servers' CA for
  // tls:// URLs, and where to write nats-server's operator-mode block at each start ("" none).
  std::vector<std::string> nats;
  std::vector<std::string> nats_advertise;
  std::string nats_ca_file;
  std::string nats_server_config;
  // Names and addresses of the NATS servers: nats_server_config then also holds a TLS block
  // with a server certificate for them from our CA (satellites trust it already).
  std::vector<std::string> nats_server_names;
  // Webhooks for satellites' NATS events: "URL" or "URL=sync.completed,sync.failed".
  std::vector<std::string> webhooks;
  // A command sent to a satellite (docs/adr/0008) expires when not answered this long.
  std::chrono::seconds command_ttl{24 * 3600};
  // How often NATS is cleared of deleted satellites' consumers and commands.
  std::chrono::seconds nats_sweep_interval{300};
  // How often groups' rules are evaluated against their registry endpoints.
  std::chrono::seconds rule_interval{300};
  // Signed state artifacts (docs/state-artifacts.md): the RegistryEndpoint to publish
  // into (empty: none), its project, the cosign key that signs (from `ground-control
  // keygen`; its passphrase in COSIGN_PASSWORD or the password file), further public keys
  // satellites keep trusting during a rotation, the URL satellites read state from (empty:
  // the endpoint's), how often changes are published and how many versions stay.
  std::string state_endpoint;
  std::string state_project = "satellite";
  std::string state_signing_key_file;
  std::string state_signing_password_file;
  std::optional<std::string> cosign_password;  // COSIGN_PASSWORD, when set (even empty)
  std::vector<std::string> state_trusted_key_files;
  std::string state_registry_url;
  std::chrono::seconds state_interval{10};
  std::size_t state_keep_versions = 10;
  // Harbor robot accounts per satellite: the harbor RegistryEndpoint they live in (empty:
  // none; satellites then use the config's upstream credentials) and their lifetime.
  std::string robot_endpoint;
  std::chrono::days robot_duration{30};
  // EnrollmentRequests that may wait for an admin at once: anyone can post one.
  std::size_t max_pending_enrollment_requests = 10'000;
  // Requests a second (and bursts) per satellite and per user, by identity; rate 0: none.
  double satellite_rate_limit = 20;
  double satellite_rate_burst = 100;
  double user_rate_limit = 50;
  double user_rate_burst = 200;
  unsigned threads = 0;           // I/O threads per listener; 0: one per core
  unsigned blocking_threads = 4;  // database and password work
  std::string log_level = "info";
  bool access_log = false;
};

// Where the deployment's database is: `database`, or the SQLite file in `data_dir`.
inline std::string database_location(const GroundControlOptions& options) {
  return options.database.empty()
             ? (std::filesystem::path(options.data_dir) / "groundcontrol.db").string()
             : options.database;
}

// The master key file (used when no GROUND_CONTROL_MASTER_KEY value is given).
inline std::string master_key_location(const GroundControlOptions& options) {
  return options.master_key_file.empty()
             ? (std::filesystem::path(options.data_dir) / "master.key").string()
             : options.master_key_file;
}

}  // namespace groundcontrol::app
