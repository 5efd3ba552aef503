// satellite: the edge agent. For now it runs the local OCI registry (`serve`) and its
// garbage collector (`gc`). main only parses flags, builds the app and runs it.
#include <fmt/format.h>
#include <signal.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <thread>

#include "common/config/duration.hpp"
#include "common/fs/dir_lock.hpp"
#include "common/fs/file_ops.hpp"
#include "registry/registry_service.hpp"
#include "satellite/gc_schedule.hpp"
#include "satellite/registry_app.hpp"

namespace {

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

// Splits "host:port" / "[v6]:port".
common::Result<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    return common::fail(common::ErrorCode::kInvalidArgument, "--listen must be HOST:PORT", listen);
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    return common::fail(common::ErrorCode::kInvalidArgument, "invalid port in --listen", listen);
  }
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

int serve(const satellite::ServeOptions& options, const std::string& log_level) {
  // Signals are taken by one waiting thread, not by async handlers in the servers.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  auto logger = value_or_die(common::log::make_logger("satellite", log_level));
  auto app = value_or_die(satellite::RegistryApp::create(options, logger));
  std::printf("listening on %s\n", app->address().c_str());
  std::fflush(stdout);
  logger->info("serving {} from {}", app->address(), options.registry.data_dir);
  std::jthread waiter([&] {
    for (;;) {
      int received = 0;
      sigwait(&signals, &received);
      if (received == SIGUSR1) {
        logger->info("garbage collection requested");
        app->trigger_gc();
        continue;
      }
      logger->info("signal {}: finishing in-flight requests", received);
      app->stop();
      return;
    }
  });
  app->run();
  logger->info("stopped");
  // The waiter may still be blocked in sigwait: wake it so it can be joined.
  if (waiter.joinable()) ::pthread_kill(waiter.native_handle(), SIGTERM);
  return 0;
}

// Asks the server holding `data_dir` to collect garbage (SIGUSR1) and prints its report.
int gc_in_server(const std::string& data_dir) {
  const int pid = value_or_die(common::fs::DirLock::holder(data_dir));
  const auto report_path = data_dir + "/" + satellite::kGcReportFile;
  const auto before = common::fs::read_file(report_path).value_or("");
  if (::kill(pid, SIGUSR1) != 0) {
    die(common::Error(common::ErrorCode::kPermissionDenied,
                      "cannot signal the satellite holding the data dir",
                      "pid " + std::to_string(pid)));
  }
  std::fprintf(stderr, "asked the running satellite (pid %d) to collect garbage\n", pid);
  for (int waited = 0; waited < 3600 * 10; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto now = common::fs::read_file(report_path);
    if (now && *now != before) {
      std::printf("%s\n", now->c_str());
      return 0;
    }
    if (::kill(pid, 0) != 0)
      die(common::Error(common::ErrorCode::kUnavailable, "the satellite exited"));
  }
  die(common::Error(common::ErrorCode::kTimeout, "no garbage collection report after an hour"));
}

int gc(const registry::RegistryConfig& config, const std::string& log_level) {
  auto logger = value_or_die(common::log::make_logger("satellite", log_level));
  auto service = registry::RegistryService::open(config, logger);
  if (!service && service.error().code() == common::ErrorCode::kConflict) {
    return gc_in_server(config.data_dir);
  }
  if (!service) die(service.error());
  const auto report = value_or_die((*service)->collect_garbage());
  std::printf("%s\n", satellite::gc_report_json(report, std::time(nullptr)).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"satellite: edge registry and agent"};
  cli.require_subcommand(1);
  cli.fallthrough();  // global flags such as --log-level may follow the subcommand
  std::string log_level = "info";
  cli.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();

  satellite::ServeOptions options;
  std::string listen = "127.0.0.1:5050";
  std::string max_manifest = "8MiB", gc_interval = "1h", gc_grace = "1h", upload_max_idle = "24h";
  std::string tls_cert, tls_key;

  auto* serve_cmd = cli.add_subcommand("serve", "run the local OCI registry");
  serve_cmd
      ->add_option("--data-dir", options.registry.data_dir, "directory holding blobs and metadata")
      ->required();
  serve_cmd->add_option("--listen", listen, "HOST:PORT to listen on (port 0 picks a free port)")
      ->capture_default_str();
  serve_cmd->add_option("--threads", options.server.threads, "I/O threads (0: one per core)")
      ->capture_default_str();
  serve_cmd->add_option("--tls-cert", tls_cert,
                        "PEM certificate chain; enables TLS with --tls-key");
  serve_cmd->add_option("--tls-key", tls_key, "PEM private key");
  serve_cmd->add_option("--htpasswd", options.htpasswd_file,
                        "htpasswd file (bcrypt or argon2id); enables basic auth");
  serve_cmd->add_flag("--read-only", options.registry.read_only, "refuse pushes and deletes");
  serve_cmd->add_option("--max-manifest-size", max_manifest, "largest manifest accepted")
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-connections", options.server.max_connections, "open connections at most")
      ->capture_default_str();
  serve_cmd->add_option("--gc-interval", gc_interval, "garbage collection period (0 disables)")
      ->capture_default_str();
  serve_cmd->add_option("--gc-grace", gc_grace, "blobs younger than this are never collected")
      ->capture_default_str();
  serve_cmd->add_option("--upload-max-idle", upload_max_idle, "uploads idle this long are stale")
      ->capture_default_str();
  serve_cmd->add_flag("--access-log", options.access_log, "log one line per request");

  registry::RegistryConfig gc_config;
  std::string gc_grace_only = "1h", gc_upload_idle = "24h";
  auto* gc_cmd = cli.add_subcommand(
      "gc", "collect garbage now (asks the running satellite holding --data-dir, if any)");
  gc_cmd->add_option("--data-dir", gc_config.data_dir, "directory holding blobs and metadata")
      ->required();
  gc_cmd->add_option("--gc-grace", gc_grace_only, "blobs younger than this are never collected")
      ->capture_default_str();
  gc_cmd->add_option("--upload-max-idle", gc_upload_idle, "uploads idle this long are stale")
      ->capture_default_str();

  CLI11_PARSE(cli, argc, argv);

  if (gc_cmd->parsed()) {
    gc_config.gc_grace = value_or_die(common::config::parse_duration(gc_grace_only));
    gc_config.upload_max_idle = value_or_die(common::config::parse_duration(gc_upload_idle));
    return gc(gc_config, log_level);
  }
  auto [host, port] = value_or_die(parse_listen(listen));
  options.server.host = host;
  options.server.port = port;
  options.registry.max_manifest_bytes = value_or_die(common::config::parse_size(max_manifest));
  options.gc_interval = value_or_die(common::config::parse_duration(gc_interval));
  options.registry.gc_grace = value_or_die(common::config::parse_duration(gc_grace));
  options.registry.upload_max_idle = value_or_die(common::config::parse_duration(upload_max_idle));
  if (tls_cert.empty() != tls_key.empty()) {
    die(common::Error(common::ErrorCode::kInvalidArgument, "--tls-cert and --tls-key go together"));
  }
  if (!tls_cert.empty()) options.server.tls = common::http::TlsFiles{tls_cert, tls_key};
  return serve(options, log_level);
}
