// ground-control: the fleet server. main only parses and validates flags (also from a YAML
// config file and the environment), then runs one command.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "common/config/duration.hpp"
#include "common/config/host_port.hpp"
#include "common/config/yaml_config.hpp"
#include "groundcontrol/app/backup_command.hpp"
#include "groundcontrol/app/ground_control_app.hpp"
#include "groundcontrol/app/keygen_command.hpp"
#include "groundcontrol/app/serve_command.hpp"
#include "groundcontrol/model/satellite_command.hpp"
#include "groundcontrol/pki/spiffe_id.hpp"

namespace {

[[noreturn]] void die(const common::Error& error) {
  std::cerr << "ground-control: " << error.message() << "\n";
  std::exit(1);
}

template <class T>
T value_or_die(common::Result<T> result) {
  if (!result) die(result.error());
  return std::move(*result);
}

struct TextFlags {
  std::string management_listen = "127.0.0.1:8080";
  std::string satellite_listen = "127.0.0.1:8443";
  std::string certificate_validity = "30d";
  std::string token_lifetime = "24h";
  std::string session_lifetime = "12h";
  std::string rule_interval = "5m";
  std::string state_interval = "10s";
  std::string command_ttl = "24h";
  std::string nats_sweep_interval = "5m";
  int robot_duration_days = 30;
};

void add_deployment_flags(CLI::App& cmd, groundcontrol::app::GroundControlOptions& options) {
  cmd.add_option("--data-dir", options.data_dir,
                 "directory for the SQLite database, the master key and TLS files")
      ->required();
  cmd.add_option("--db", options.database,
                 "postgres://… to run on PostgreSQL (default: SQLite in --data-dir)")
      ->envname("GROUND_CONTROL_DB");
  cmd.add_option("--master-key-file", options.master_key_file,
                 "file of the key that seals stored secrets (default: <data-dir>/master.key)");
}

void add_serve_flags(CLI::App& cmd, groundcontrol::app::GroundControlOptions& options,
                     TextFlags& text) {
  add_deployment_flags(cmd, options);
  cmd.add_option("--management-listen", text.management_listen,
                 "HOST:PORT of the management API (port 0 picks a free port)")
      ->capture_default_str();
  cmd.add_option("--satellite-listen", text.satellite_listen,
                 "HOST:PORT of the satellite API (mTLS)")
      ->capture_default_str();
  cmd.add_option("--server-name", options.server_names,
                 "a DNS name or IP address for ground control's server certificate (repeat)")
      ->capture_default_str();
  cmd.add_option("--tls-cert", options.tls_cert_file,
                 "a PEM server certificate chain instead of one from the built-in CA");
  cmd.add_option("--tls-key", options.tls_key_file, "its PEM private key");
  cmd.add_flag("--insecure-http", options.insecure_http,
               "serve the management API over plain HTTP (tests and demos only)");
  cmd.add_option("--admin-password", options.admin_password,
                 "admin's password at first start (default: random, printed once)")
      ->envname("GROUND_CONTROL_ADMIN_PASSWORD");
  cmd.add_option("--trust-domain", options.trust_domain,
                 "SPIFFE trust domain of satellite identities")
      ->capture_default_str();
  cmd.add_option("--external-ca-bundle", options.external_ca_bundle,
                 "a PEM CA bundle (a SPIRE server's) trusted for satellite certificates too; "
                 "re-read when it changes");
  cmd.add_option("--external-spiffe-prefix", options.external_spiffe_prefix,
                 "with --external-ca-bundle: the SPIFFE ID prefix whose rest names the "
                 "satellite, e.g. spiffe://example.org/satellite/");
  cmd.add_option("--certificate-validity", text.certificate_validity,
                 "lifetime of satellite certificates")
      ->capture_default_str();
  cmd.add_option("--token-lifetime", text.token_lifetime, "lifetime of enrollment tokens")
      ->capture_default_str();
  cmd.add_option("--session-lifetime", text.session_lifetime,
                 "how long a login's bearer token lasts")
      ->capture_default_str();
  cmd.add_option("--nats", options.nats,
                 "NATS server URL(s) for the command channel (docs/nats.md); none: long-poll only")
      ->delimiter(',');
  cmd.add_option("--nats-advertise", options.nats_advertise,
                 "NATS URL(s) satellites are told to connect to (default: --nats)")
      ->delimiter(',');
  cmd.add_option("--nats-ca-file", options.nats_ca_file,
                 "CA bundle of the NATS servers' certificates (tls:// URLs)");
  cmd.add_option("--nats-server-config", options.nats_server_config,
                 "write nats-server's operator-mode block (operator and account JWTs) here at "
                 "each start, for nats-server.conf to include");
  cmd.add_option("--webhook", options.webhooks,
                 "POST satellites' NATS events to URL (repeatable; URL=sync.completed,sync.failed "
                 "for some only)");
  cmd.add_option("--nats-server-names", options.nats_server_names,
                 "names and addresses of the NATS servers: --nats-server-config then also "
                 "gets a TLS block with a certificate for them from ground control's CA")
      ->delimiter(',');
  cmd.add_option("--command-ttl", text.command_ttl,
                 "how long a command to a satellite waits for its answer before it expires")
      ->capture_default_str();
  cmd.add_option("--nats-sweep-interval", text.nats_sweep_interval,
                 "how often NATS is cleared of deleted satellites' consumers and commands")
      ->capture_default_str();
  cmd.add_option("--rule-interval", text.rule_interval,
                 "how often groups' rules are evaluated against their registries")
      ->capture_default_str();
  cmd.add_option("--state-endpoint", options.state_endpoint,
                 "RegistryEndpoint to publish signed state artifacts into (default: none)");
  cmd.add_option("--state-project", options.state_project,
                 "project (first path segment) of the state repositories")
      ->capture_default_str();
  cmd.add_option("--state-signing-key", options.state_signing_key_file,
                 "cosign private key that signs state (ground-control keygen); passphrase in "
                 "COSIGN_PASSWORD or --state-signing-password-file");
  cmd.add_option("--state-signing-password-file", options.state_signing_password_file,
                 "file holding the signing key's passphrase");
  cmd.add_option("--state-trusted-key", options.state_trusted_key_files,
                 "further public key satellites trust (a key being rotated out); repeatable");
  cmd.add_option("--state-registry-url", options.state_registry_url,
                 "URL satellites read state from (default: the endpoint's)");
  cmd.add_option("--state-interval", text.state_interval, "how often state changes are published")
      ->capture_default_str();
  cmd.add_option("--state-keep-versions", options.state_keep_versions,
                 "versions kept in each state repository")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd.add_option("--robot-endpoint", options.robot_endpoint,
                 "harbor RegistryEndpoint in which each satellite gets its own pull-only robot "
                 "account (default: none)");
  cmd.add_option("--robot-duration-days", text.robot_duration_days,
                 "lifetime of a satellite's robot account; its secret is renewed halfway")
      ->capture_default_str()
      ->check(CLI::Range(1, 3650));
  cmd.add_option("--max-pending-enrollment-requests", options.max_pending_enrollment_requests,
                 "enrollment requests that may wait for an admin at once (more: 429)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd.add_option("--satellite-rate-limit", options.satellite_rate_limit,
                 "requests a second per satellite, by its certificate (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--satellite-rate-burst", options.satellite_rate_burst,
                 "requests a satellite may make at once")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--user-rate-limit", options.user_rate_limit,
                 "management requests a second per user or Harbor credential (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--user-rate-burst", options.user_rate_burst, "requests a user may make at once")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--threads", options.threads, "I/O threads per listener (0: one per core)")
      ->capture_default_str();
  cmd.add_flag("--access-log", options.access_log, "log one line per request");
}

void apply_serve_flags(groundcontrol::app::GroundControlOptions& options, const TextFlags& text) {
  options.management_listen = value_or_die(common::config::parse_host_port(text.management_listen));
  options.satellite_listen = value_or_die(common::config::parse_host_port(text.satellite_listen));
  options.certificate_validity =
      value_or_die(common::config::parse_duration(text.certificate_validity));
  options.token_lifetime = value_or_die(common::config::parse_duration(text.token_lifetime));
  options.session_lifetime = value_or_die(common::config::parse_duration(text.session_lifetime));
  options.rule_interval = value_or_die(common::config::parse_duration(text.rule_interval));
  if (!options.webhooks.empty() && options.nats.empty())
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "--webhook needs --nats (events arrive over NATS)"));
  if (!options.nats_server_names.empty() && options.nats_server_config.empty())
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "--nats-server-names needs --nats-server-config (where the TLS block goes)"));
  options.command_ttl = value_or_die(common::config::parse_duration(text.command_ttl));
  if (options.command_ttl < groundcontrol::model::kMinCommandTtl ||
      options.command_ttl > groundcontrol::model::kMaxCommandTtl)
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "--command-ttl: 10s … 30d (NATS keeps a command 31 days)"));
  options.nats_sweep_interval =
      value_or_die(common::config::parse_duration(text.nats_sweep_interval));
  if (options.nats_sweep_interval < std::chrono::seconds(1))
    die(common::Error(common::ErrorCode::kInvalidArgument, "--nats-sweep-interval: at least 1s"));
  if (options.rule_interval < std::chrono::seconds(1))
    die(common::Error(common::ErrorCode::kInvalidArgument, "--rule-interval: at least 1s"));
  options.robot_duration = std::chrono::days(text.robot_duration_days);
  options.state_interval = value_or_die(common::config::parse_duration(text.state_interval));
  if (options.state_interval < std::chrono::seconds(1))
    die(common::Error(common::ErrorCode::kInvalidArgument, "--state-interval: at least 1s"));
  if (!options.state_endpoint.empty() && options.state_signing_key_file.empty())
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "--state-endpoint needs --state-signing-key (make one with ground-control "
                      "keygen)"));
  if (options.tls_cert_file.empty() != options.tls_key_file.empty())
    die(common::Error(common::ErrorCode::kInvalidArgument, "--tls-cert and --tls-key go together"));
  if (options.external_ca_bundle.empty() != options.external_spiffe_prefix.empty())
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "--external-ca-bundle and --external-spiffe-prefix go together"));
  if (!options.external_spiffe_prefix.empty()) {
    const auto& prefix = options.external_spiffe_prefix;
    if (!prefix.ends_with('/') || !groundcontrol::pki::validate_spiffe_id(prefix + "x"))
      die(common::Error(common::ErrorCode::kInvalidArgument,
                        "--external-spiffe-prefix: expected spiffe://TRUST-DOMAIN/PATH/ (ending "
                        "in /), got \"" +
                            prefix + "\""));
    if (prefix.starts_with("spiffe://" + options.trust_domain + "/"))
      die(common::Error(common::ErrorCode::kInvalidArgument,
                        "--external-spiffe-prefix: must not be under ground control's own trust "
                        "domain " +
                            options.trust_domain));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"ground-control: the fleet server satellites enroll with"};
  cli.require_subcommand(1);
  cli.fallthrough();
  std::string log_level = "info";
  cli.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  common::config::install_yaml_config(cli);

  groundcontrol::app::GroundControlOptions options;
  if (const char* key = std::getenv("GROUND_CONTROL_MASTER_KEY")) options.master_key_base64 = key;
  if (const char* password = std::getenv("COSIGN_PASSWORD")) options.cosign_password = password;
  TextFlags text;
  auto* serve = cli.add_subcommand("serve", "run the management and satellite APIs");
  add_serve_flags(*serve, options, text);
  std::string new_password;
  auto* reset = cli.add_subcommand(
      "reset-admin", "set admin's password (random when not given) and end its sessions");
  add_deployment_flags(*reset, options);
  reset->add_option("--password", new_password, "the new password")
      ->envname("GROUND_CONTROL_ADMIN_PASSWORD");
  groundcontrol::app::BackupOptions backup_options;
  auto* backup = cli.add_subcommand(
      "backup", "write a consistent copy of the SQLite database while serve runs on it");
  add_deployment_flags(*backup, options);
  backup->add_option("--out", backup_options.out, "the copy to write (its directory must exist)")
      ->required();
  backup->add_flag("--force", backup_options.force, "replace an existing --out file");
  backup->add_flag("!--without-master-key", backup_options.with_master_key,
                   "do not write the master key to <out>.master-key (keep it elsewhere)");

  groundcontrol::app::KeygenOptions keygen_options;
  auto* keygen = cli.add_subcommand(
      "keygen",
      "write a cosign signing key pair, PREFIX.key (encrypted under COSIGN_PASSWORD or "
      "--password-file) and PREFIX.pub, as cosign generate-key-pair does");
  keygen
      ->add_option("--output-key-prefix", keygen_options.output_key_prefix,
                   "path prefix of the two files (never replaced)")
      ->capture_default_str();
  keygen->add_option("--password-file", keygen_options.password_file,
                     "file holding the passphrase (mode 0600; default: COSIGN_PASSWORD)");

  CLI11_PARSE(cli, argc, argv);
  if (keygen->parsed()) {
    std::optional<std::string> env_password;
    if (const char* password = std::getenv("COSIGN_PASSWORD")) env_password = password;
    if (auto ok = groundcontrol::app::keygen_command(keygen_options, env_password); !ok)
      die(ok.error());
    return 0;
  }
  auto logger = value_or_die(common::log::make_logger("ground-control", log_level));
  if (reset->parsed()) {
    const auto password = value_or_die(groundcontrol::app::reset_admin(options, new_password));
    if (new_password.empty())
      std::cout << "admin password: " << password << "\n";
    else
      std::cout << "admin password set\n";
    return 0;
  }
  if (backup->parsed()) {
    if (auto ok = groundcontrol::app::backup_command(options, backup_options); !ok) die(ok.error());
    return 0;
  }
  apply_serve_flags(options, text);
  if (auto ok = groundcontrol::app::serve_command(options, logger); !ok) die(ok.error());
  return 0;
}
