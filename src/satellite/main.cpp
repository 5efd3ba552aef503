// satellite: the edge agent and its local OCI registry (`run`), the registry alone
// (`serve`), its garbage collector (`gc`) and air-gapped `import`/`export` of OCI layouts.
// main only parses and validates flags, then runs one command.
#include <CLI/CLI.hpp>

#include <iostream>

#include "common/config/duration.hpp"
#include "common/config/host_port.hpp"
#include "common/config/yaml_config.hpp"
#include "common/fs/file_ops.hpp"
#include "satellite/commands.hpp"

namespace {

// Prints a one-line error and exits with status 1.
[[noreturn]] void die(const common::Error& error) {
  std::cerr << "satellite: " << error.message()
            << (error.detail().empty() ? "" : ": " + error.detail()) << "\n";
  std::exit(1);
}

template <class T>
T value_or_die(common::Result<T> result) {
  if (!result) die(result.error());
  return std::move(*result);
}

// Durations and sizes as typed on the command line, validated after parsing.
struct TextFlags {
  std::string listen = "127.0.0.1:5050";
  std::string max_manifest = "8MiB";
  std::string manifest_cache = "16MiB";
  std::string manifest_memory = "32MiB";
  std::string gc_interval = "1h";
  std::string gc_grace = "1h";
  std::string upload_max_idle = "24h";
  std::string idle_timeout = "60s";
  std::string io_timeout = "60s";
  std::string login_refill = "1s";
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  std::string tls_client_auth;  // empty: "required" with --tls-client-ca, else "off"
};

void add_serve_flags(CLI::App& cmd, satellite::ServeOptions& options, TextFlags& text) {
  cmd.add_option("--data-dir", options.registry.data_dir, "directory holding blobs and metadata")
      ->required();
  cmd.add_option("--listen", text.listen, "HOST:PORT to listen on (port 0 picks a free port)")
      ->capture_default_str();
  cmd.add_option("--threads", options.server.threads, "I/O threads (0: one per core)")
      ->capture_default_str();
  cmd.add_option("--tls-cert", text.tls_cert, "PEM certificate chain; enables TLS with --tls-key");
  cmd.add_option("--tls-key", text.tls_key, "PEM private key");
  cmd.add_option("--tls-client-ca", text.tls_client_ca,
                 "PEM CA bundle client certificates must chain to (SIGHUP reloads the TLS files)");
  cmd.add_option("--tls-client-auth", text.tls_client_auth,
                 "client certificates: off, optional or required (default: required with "
                 "--tls-client-ca, else off)");
  cmd.add_option("--htpasswd", options.htpasswd_file,
                 "htpasswd file (bcrypt or argon2id); enables basic auth");
  cmd.add_option("--auth-threads", options.auth_threads,
                 "threads checking passwords (a pool apart from pushes and pulls)")
      ->capture_default_str();
  cmd.add_option("--auth-max-pending", options.auth_max_pending,
                 "password checks queued at most; more get 429")
      ->capture_default_str();
  cmd.add_option("--login-burst", options.login_limits.burst,
                 "failed logins per client address before 429 (0: no limit)")
      ->capture_default_str();
  cmd.add_option("--login-refill", text.login_refill,
                 "one more failed login allowed per address this often")
      ->capture_default_str();
  cmd.add_option("--login-max-clients", options.login_limits.max_clients,
                 "client addresses tracked by the login limit at most")
      ->capture_default_str();
  cmd.add_flag("--read-only", options.registry.read_only, "refuse pushes and deletes");
  cmd.add_option("--max-manifest-size", text.max_manifest, "largest manifest accepted")
      ->capture_default_str();
  cmd.add_option("--manifest-cache", text.manifest_cache,
                 "manifest bytes kept in memory for pulls (least recently used evicted)")
      ->capture_default_str();
  cmd.add_option("--manifest-memory", text.manifest_memory,
                 "manifest bytes in memory at once, cached or in flight; beyond it 429")
      ->capture_default_str();
  cmd.add_option("--max-connections", options.server.max_connections, "open connections at most")
      ->capture_default_str();
  cmd.add_option("--gc-interval", text.gc_interval, "garbage collection period (0 disables)")
      ->capture_default_str();
  cmd.add_option("--gc-grace", text.gc_grace, "blobs younger than this are never collected")
      ->capture_default_str();
  cmd.add_option("--upload-max-idle", text.upload_max_idle, "uploads idle this long are stale")
      ->capture_default_str();
  cmd.add_option("--idle-timeout", text.idle_timeout,
                 "close connections idle (or sending a header) this long")
      ->capture_default_str();
  cmd.add_option("--io-timeout", text.io_timeout,
                 "abort a request whose body or response stalls this long")
      ->capture_default_str();
  cmd.add_flag("--access-log", options.access_log, "log one line per request");
}

void apply_serve_flags(satellite::ServeOptions& options, const TextFlags& text) {
  const auto address = value_or_die(common::config::parse_host_port(text.listen));
  options.server.host = address.host;
  options.server.port = address.port;
  options.registry.max_manifest_bytes = value_or_die(common::config::parse_size(text.max_manifest));
  options.registry.manifest_cache_bytes =
      value_or_die(common::config::parse_size(text.manifest_cache));
  options.registry.manifest_memory_bytes =
      value_or_die(common::config::parse_size(text.manifest_memory));
  if (options.registry.manifest_memory_bytes < options.registry.max_manifest_bytes) {
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "--manifest-memory must hold at least one --max-manifest-size manifest"));
  }
  options.gc_interval = value_or_die(common::config::parse_duration(text.gc_interval));
  options.registry.gc_grace = value_or_die(common::config::parse_duration(text.gc_grace));
  options.registry.upload_max_idle =
      value_or_die(common::config::parse_duration(text.upload_max_idle));
  options.server.idle_timeout = value_or_die(common::config::parse_duration(text.idle_timeout));
  options.server.io_timeout = value_or_die(common::config::parse_duration(text.io_timeout));
  if (options.server.idle_timeout.count() == 0 || options.server.io_timeout.count() == 0) {
    die(common::Error(common::ErrorCode::kInvalidArgument, "timeouts must be at least 1s"));
  }
  options.login_limits.refill = value_or_die(common::config::parse_duration(text.login_refill));
  if (options.auth_threads == 0 || options.auth_max_pending == 0 ||
      options.login_limits.max_clients == 0) {
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "--auth-threads, --auth-max-pending and --login-max-clients must be >= 1"));
  }
  if (options.login_limits.refill.count() == 0) {
    die(common::Error(common::ErrorCode::kInvalidArgument, "--login-refill must be at least 1s"));
  }
  if (text.tls_cert.empty() != text.tls_key.empty()) {
    die(common::Error(common::ErrorCode::kInvalidArgument, "--tls-cert and --tls-key go together"));
  }
  const std::string& auth = text.tls_client_auth.empty()
                                ? (text.tls_client_ca.empty() ? "off" : "required")
                                : text.tls_client_auth;
  auto mode = common::http::ClientCertMode::kOff;
  if (auth == "optional") {
    mode = common::http::ClientCertMode::kOptional;
  } else if (auth == "required") {
    mode = common::http::ClientCertMode::kRequired;
  } else if (auth != "off") {
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "--tls-client-auth is off, optional or required"));
  }
  if (mode != common::http::ClientCertMode::kOff &&
      (text.tls_cert.empty() || text.tls_client_ca.empty())) {
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "client certificates need --tls-cert, --tls-key and --tls-client-ca"));
  }
  if (!text.tls_cert.empty())
    options.server.tls =
        common::http::TlsConfig{text.tls_cert, text.tls_key, text.tls_client_ca, mode};
}

// The agent's durations, sizes and lists as typed, validated after parsing.
struct RunTextFlags {
  std::string upstream_password_file;
  std::string state_poll_interval = "5m";
  std::string state_wait = "60s";
  std::string sync_window;
  std::string bandwidth_limit = "0";
  std::string removal_grace = "1h";
  std::string resync = "1m";
  std::vector<std::string> platforms;
  std::string proxy_disk_quota = "0";
  std::string proxy_tag_ttl = "1m";
  std::vector<std::string> enrollment_labels;
  std::string tls_listen;
};

void add_run_flags(CLI::App& cmd, satellite::RunOptions& options, RunTextFlags& text) {
  cmd.add_option("--ground-control", options.ground_control_url,
                 "ground control's satellite API, https://HOST:PORT")
      ->envname("SATELLITE_GROUND_CONTROL");
  cmd.add_option("--token", options.token, "one-time enrollment token (first start only)")
      ->envname("SATELLITE_TOKEN");
  cmd.add_option("--enrollment-name", options.enrollment_name,
                 "without a token: ask ground control to enroll this name (an admin approves)");
  cmd.add_option("--enrollment-label", text.enrollment_labels,
                 "KEY=VALUE label the enrollment request proposes; repeatable");
  cmd.add_option("--ca-file", options.ca_file, "PEM CA certificate ground control's chains to");
  cmd.add_option("--ca-fingerprint", options.ca_fingerprint,
                 "sha256:HEX of ground control's CA certificate (instead of --ca-file)");
  cmd.add_option("--identity-cert", options.identity_cert_file,
                 "instead of enrolling: a PEM certificate to present (SPIRE's X.509-SVID, "
                 "re-read when it changes)");
  cmd.add_option("--identity-key", options.identity_key_file, "its PEM private key");
  cmd.add_option("--tls-listen", text.tls_listen,
                 "HOST:PORT for HTTPS with the serving certificate ground control issues for "
                 "the config's registry serverNames (starts once one is held)");
  cmd.add_option("--nats-domain", options.nats_domain,
                 "the hub's JetStream domain, when --nats is a leaf node on the site "
                 "(docs/nats.md)");
  cmd.add_option("--nats", options.nats_servers,
                 "NATS URL (nats:// or tls://) for ground control's command channel; "
                 "repeatable or a comma list")
      ->delimiter(',');
  cmd.add_option("--state-registry", options.state_registry_url,
                 "registry-only: follow the signed state ground control publishes in this "
                 "registry (http[s]://HOST:PORT), never its API; needs --satellite-name and "
                 "--state-key");
  cmd.add_option("--state-project", options.state_project,
                 "with --state-registry: the state repositories' first path segment")
      ->capture_default_str();
  cmd.add_option("--state-key", options.state_key_files,
                 "with --state-registry: a cosign public key whose signatures are trusted; "
                 "repeatable (a key rotation)");
  cmd.add_option("--satellite-name", options.satellite_name,
                 "with --state-registry: the satellite whose state to follow");
  cmd.add_option("--state-file", options.state_file,
                 "headless: follow this satellite state or Harbor state file, no ground control")
      ->envname("SATELLITE_STATE_FILE");
  cmd.add_option("--upstream", options.upstream.url,
                 "registry to pull from, http(s)://HOST[:PORT] (overrides the state's)");
  cmd.add_option("--upstream-username", options.upstream.username, "upstream registry user");
  cmd.add_option("--upstream-password-file", text.upstream_password_file,
                 "file holding the upstream password (or SATELLITE_UPSTREAM_PASSWORD)");
  cmd.add_flag("--upstream-insecure", options.upstream.insecure_skip_verify,
               "do not verify the upstream's TLS certificate");
  cmd.add_option("--upstream-ca-file", options.upstream.ca_file,
                 "PEM CA bundle for the upstream's TLS certificate");
  cmd.add_option("--platforms", text.platforms,
                 "keep only these platforms of multi-arch images (os/arch[/variant], comma list)")
      ->delimiter(',');
  cmd.add_option("--state-poll-interval", text.state_poll_interval,
                 "how often the desired state is read when no change is pushed")
      ->capture_default_str();
  cmd.add_option("--state-wait", text.state_wait, "how long one long-poll on ground control waits")
      ->capture_default_str();
  cmd.add_option("--sync-window", text.sync_window,
                 "pull from upstream only in this local time window, HH:MM-HH:MM");
  cmd.add_option("--bandwidth-limit", text.bandwidth_limit,
                 "upstream bytes per second at most, e.g. 10MiB (0: unlimited)")
      ->capture_default_str();
  cmd.add_option("--removal-grace", text.removal_grace,
                 "an image that left the desired state is removed this long after")
      ->capture_default_str();
  cmd.add_option("--resync-interval", text.resync,
                 "a reconcile pass at least this often (retries, removals)")
      ->capture_default_str();
  cmd.add_flag("--proxy", options.proxy,
               "pull-through: fetch what a pull asks for and no state names from upstream");
  cmd.add_option(
      "--proxy-repository", options.proxy_repositories,
      "a repository (or prefix ending in /) the proxy may fetch; repeatable (default: all)");
  cmd.add_option("--proxy-disk-quota", text.proxy_disk_quota,
                 "stored bytes beyond which proxied images are evicted, least recently used first")
      ->capture_default_str();
  cmd.add_option("--proxy-tag-ttl", text.proxy_tag_ttl,
                 "a tag the proxy fetched is checked against the upstream at most this often "
                 "(0s: on every pull; held content is served when the upstream is down)")
      ->capture_default_str();
  cmd.add_option("--parallel-pulls", options.agent.pass.parallel_artifacts, "images pulled at once")
      ->capture_default_str();
  cmd.add_option("--parallel-blobs", options.parallel_blobs, "blobs fetched at once")
      ->capture_default_str();
}

void apply_run_flags(satellite::RunOptions& options, const RunTextFlags& text) {
  const int sources = !options.state_file.empty() + !options.ground_control_url.empty() +
                      !options.state_registry_url.empty();
  if (sources != 1) {
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "give one of --ground-control URL (with --token on first start), "
                      "--state-registry URL or --state-file FILE"));
  }
  if (!options.state_registry_url.empty() &&
      (options.satellite_name.empty() || options.state_key_files.empty()))
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "--state-registry needs --satellite-name and at least one --state-key"));
  if (options.parallel_blobs == 0 || options.agent.pass.parallel_artifacts == 0) {
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "--parallel-pulls and --parallel-blobs must be >= 1"));
  }
  if (!text.upstream_password_file.empty()) {
    auto password = value_or_die(common::fs::read_file(text.upstream_password_file));
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
      password.pop_back();
    options.upstream.password = std::move(password);
  } else if (const char* env = std::getenv("SATELLITE_UPSTREAM_PASSWORD")) {
    options.upstream.password = env;
  }
  options.state_poll_interval =
      value_or_die(common::config::parse_duration(text.state_poll_interval));
  options.state_wait = value_or_die(common::config::parse_duration(text.state_wait));
  options.agent.window = value_or_die(satellite::agent::SyncWindow::parse(text.sync_window));
  options.bandwidth_limit = value_or_die(common::config::parse_size(text.bandwidth_limit));
  options.agent.pass.removal_grace =
      value_or_die(common::config::parse_duration(text.removal_grace));
  options.agent.resync = value_or_die(common::config::parse_duration(text.resync));
  if (options.state_poll_interval.count() == 0 || options.agent.resync.count() == 0) {
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "--state-poll-interval and --resync-interval must be at least 1s"));
  }
  options.agent.pass.platforms = text.platforms;
  for (const auto& label : text.enrollment_labels) {
    const auto equals = label.find('=');
    if (equals == std::string::npos || equals == 0)
      die(common::Error(common::ErrorCode::kInvalidArgument,
                        "--enrollment-label takes KEY=VALUE, not " + label));
    options.enrollment_labels.emplace_back(label.substr(0, equals), label.substr(equals + 1));
  }
  if (!text.tls_listen.empty()) {
    if (options.ground_control_url.empty())
      die(common::Error(common::ErrorCode::kInvalidArgument,
                        "--tls-listen needs --ground-control (its CA issues the certificate)"));
    options.tls_listen = value_or_die(common::config::parse_host_port(text.tls_listen));
  }
  if (options.identity_cert_file.empty() != options.identity_key_file.empty())
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "--identity-cert and --identity-key go together"));
  if (!options.identity_cert_file.empty() &&
      (!options.token.empty() || !options.enrollment_name.empty()))
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "--identity-cert is instead of enrolling: no --token or --enrollment-name"));
  if (!options.nats_servers.empty() && options.ground_control_url.empty())
    die(common::Error(common::ErrorCode::kInvalidArgument,
                      "--nats needs --ground-control (it issues the NATS credentials)"));
  options.proxy_disk_quota = value_or_die(common::config::parse_size(text.proxy_disk_quota));
  options.proxy_tag_ttl = value_or_die(common::config::parse_duration(text.proxy_tag_ttl));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"satellite: edge registry and agent"};
  cli.set_version_flag("--version", "satellite " SATELLITE_VERSION);
  cli.require_subcommand(1);
  cli.fallthrough();  // global flags such as --log-level may follow the subcommand
  std::string log_level = "info";
  cli.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  // `--config FILE`: YAML whose keys are flag names (`listen: 127.0.0.1:5000`), for the
  // invoked subcommand; flags on the command line win.
  common::config::install_yaml_config(cli);

  satellite::ServeOptions serve_options;
  TextFlags serve_text;
  auto* serve = cli.add_subcommand("serve", "run the local OCI registry");
  add_serve_flags(*serve, serve_options, serve_text);

  satellite::RunOptions run_options;
  TextFlags run_serve_text;
  RunTextFlags run_text;
  auto* run = cli.add_subcommand(
      "run", "run the satellite: the local registry and the agent that fills it");
  add_serve_flags(*run, run_options.serve, run_serve_text);
  add_run_flags(*run, run_options, run_text);

  satellite::MirrorConfigOptions mirror_options;
  auto* mirror = cli.add_subcommand(
      "mirror-config", "make container runtimes pull the upstream's images from this satellite");
  mirror->add_option("--runtime", mirror_options.runtimes,
                     "containerd, crio, podman, docker or k3s; repeatable (default: detected)");
  mirror->add_option("--root", mirror_options.root, "file system root to write under")
      ->capture_default_str();
  mirror->add_option("--mirror", mirror_options.plan.mirror, "this satellite, HOST:PORT");
  mirror->add_flag("--mirror-tls", mirror_options.plan.mirror_tls,
                   "the satellite serves HTTPS (default: plain HTTP)");
  mirror->add_option("--upstream", mirror_options.plan.upstream,
                     "the registry it mirrors, HOST[:PORT] (docker.io for Docker Hub)");
  mirror->add_option("--ca-file", mirror_options.plan.ca_file,
                     "CA certificate the runtime trusts the satellite by");
  mirror->add_flag("--undo", mirror_options.undo, "restore what was there before");
  mirror->add_flag("--detect", mirror_options.detect, "list the runtimes installed under --root");
  mirror->add_option("--data-dir", mirror_options.data_dir,
                     "the satellite's data dir: what it last recorded from ground control's "
                     "config fills the flags not given (mirror, upstream, CA, runtimes)");

  registry::RegistryConfig gc_config;
  TextFlags gc_text;
  auto* gc = cli.add_subcommand(
      "gc", "collect garbage now (asks the running satellite holding --data-dir, if any)");
  gc->add_option("--data-dir", gc_config.data_dir, "directory holding blobs and metadata")
      ->required();
  gc->add_option("--gc-grace", gc_text.gc_grace, "blobs younger than this are never collected")
      ->capture_default_str();
  gc->add_option("--upload-max-idle", gc_text.upload_max_idle, "uploads idle this long are stale")
      ->capture_default_str();

  std::string layout_data_dir, layout_path, import_repository;
  std::vector<std::string> export_repositories;
  auto* import = cli.add_subcommand(
      "import", "load an OCI layout directory or tar (skopeo oci:/oci-archive:) into the registry");
  import->add_option("PATH", layout_path, "OCI image layout directory or tar")->required();
  import->add_option("--data-dir", layout_data_dir, "directory holding blobs and metadata")
      ->required();
  import->add_option("--repository", import_repository,
                     "repository for every image (default: from the layout's ref names)");
  auto* export_cmd = cli.add_subcommand(
      "export", "write the held images as one OCI layout directory, or a tar for PATH.tar");
  export_cmd->add_option("PATH", layout_path, "new directory, or a file ending in .tar")
      ->required();
  export_cmd->add_option("--data-dir", layout_data_dir, "directory holding blobs and metadata")
      ->required();
  export_cmd->add_option("--repository", export_repositories,
                         "repository to export (repeatable; default: all)");

  CLI11_PARSE(cli, argc, argv);
  auto logger = value_or_die(common::log::make_logger("satellite", log_level));

  common::Status status;
  if (import->parsed()) {
    status = satellite::import_command(layout_data_dir, layout_path, import_repository, logger);
  } else if (export_cmd->parsed()) {
    status = satellite::export_command(layout_data_dir, layout_path, export_repositories, logger);
  } else if (gc->parsed()) {
    gc_config.gc_grace = value_or_die(common::config::parse_duration(gc_text.gc_grace));
    gc_config.upload_max_idle =
        value_or_die(common::config::parse_duration(gc_text.upload_max_idle));
    status = satellite::gc_command(gc_config, logger);
  } else if (mirror->parsed()) {
    status = satellite::mirror_config_command(mirror_options);
  } else if (run->parsed()) {
    apply_serve_flags(run_options.serve, run_serve_text);
    apply_run_flags(run_options, run_text);
    run_options.version = SATELLITE_VERSION;
    status = satellite::run_command(run_options, logger);
  } else {
    apply_serve_flags(serve_options, serve_text);
    status = satellite::serve_command(serve_options, logger);
  }
  if (!status) die(status.error());
  return 0;
}
