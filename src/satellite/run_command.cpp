// `satellite run`: wires the registry, the replication engine, the agent, and either a
// state file (headless) or ground control (enrollment, long-poll, config, reports).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/logger.h>
#include <sys/statvfs.h>

#include <cstdio>
#include <filesystem>
#include <mutex>

#include "common/clock.hpp"
#include "common/fs/file_ops.hpp"
#include "common/time_format.hpp"
#include "satellite/agent/agent.hpp"
#include "satellite/agent/fallback_state_source.hpp"
#include "satellite/agent/state_file_source.hpp"
#include "satellite/agent_metrics.hpp"
#include "satellite/commands.hpp"
#include "satellite/fleet/answered_commands.hpp"
#include "satellite/fleet/command_executor.hpp"
#include "satellite/fleet/device_identity.hpp"
#include "satellite/fleet/fleet_reporter.hpp"
#include "satellite/fleet/ground_control_source.hpp"
#include "satellite/fleet/nats_channel.hpp"
#include "satellite/fleet/nats_user_key.hpp"
#include "satellite/fleet/registry_state_source.hpp"
#include "satellite/fleet/serving_certificate_keeper.hpp"
#include "satellite/fleet/state_convergence.hpp"
#include "satellite/process_signals.hpp"
#include "satellite/proxy/pull_through_proxy.hpp"
#include "satellite/registry_app.hpp"
#include "satellite/replication/image_puller.hpp"
#include "satellite/runtime_config/mirror_target.hpp"

namespace satellite {
namespace {

replication::UpstreamConfig upstream_config(const UpstreamOptions& options,
                                            const std::string& state_url) {
  return {options.url.empty() ? state_url : options.url, options.username, options.password,
          options.insecure_skip_verify, options.ca_file};
}

// The agent's pulls, done by the replication engine.
agent::PullFunction pull_through(replication::ImagePuller& puller) {
  return [&puller](const agent::PullJob& job, agent::PullProgress& progress, std::stop_token stop) {
    return puller.pull(job, progress, stop);
  };
}

struct DiskSpace {
  std::int64_t free = 0;
  std::int64_t total = 0;
};

DiskSpace disk_space(const std::string& dir) {
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0) return {};
  const auto unit = static_cast<std::int64_t>(fs.f_frsize);
  return {static_cast<std::int64_t>(fs.f_bavail) * unit,
          static_cast<std::int64_t>(fs.f_blocks) * unit};
}

// What a sync command watches for (fleet::wait_for_state).
fleet::ConvergenceView convergence_view(const agent::AgentStatus& status) {
  return {status.state_digest, status.applied_state_digest, status.window_open,
          status.counts.failed, status.feed_error};
}

// The ledger of answered commands; a file that is no ledger is set aside (and logged), so
// that the channel starts with an empty one rather than not at all.
common::Result<fleet::AnsweredCommands> open_ledger(const std::string& path,
                                                    const common::log::Logger& logger) {
  auto ledger = fleet::AnsweredCommands::load(path);
  if (ledger || ledger.error().code() != common::ErrorCode::kInvalidArgument) return ledger;
  logger->warn("{}: {}; starting a new one (the old one is kept as {}.corrupt)", path,
               ledger.error().message(), path);
  std::error_code ignored;
  std::filesystem::rename(path, path + ".corrupt", ignored);
  return fleet::AnsweredCommands::load(path);
}

// Everything the process runs, in the order it is built; destroyed in reverse.
struct Satellite {
  const RunOptions& options;
  common::log::Logger logger;
  common::SystemClock clock;
  std::chrono::steady_clock::time_point started = clock.steady_now();
  std::unique_ptr<RegistryApp> app;
  std::unique_ptr<replication::ImagePuller> puller;
  std::optional<fleet::DeviceIdentity> identity;
  std::optional<fleet::ServingCertificateKeeper> serving;  // with --tls-listen
  bool tls_announced = false;                              // "tls listening on" printed
  fleet::GroundControlSource* ground_control = nullptr;    // owned by the agent
  fleet::RegistryStateSource* registry_state = nullptr;    // owned by the agent
  std::unique_ptr<agent::Agent> agent;
  std::unique_ptr<proxy::PullThroughProxy> proxy;
  std::unique_ptr<fleet::FleetReporter> reporter;
  std::mutex mirror_mutex;      // guards mirror_upstream and mirror_runtimes
  std::string mirror_upstream;  // what the last config pointed the runtimes at ("" none)
  std::vector<std::string> mirror_runtimes;
  // With --nats: made once the satellite's name is known (from its desired state); the
  // channel goes first at the end, as its commands use everything above.
  std::mutex nats_mutex;  // guards the four below
  bool nats_closed = false;
  std::optional<fleet::AnsweredCommands> ledger;
  std::optional<fleet::CommandExecutor> executor;
  std::unique_ptr<fleet::NatsChannel> nats;

  std::string data_dir() const { return options.serve.registry.data_dir; }
  // What the agent follows, for the start-up line.
  std::string agent_source() const {
    if (!options.state_file.empty()) return options.state_file;
    if (!options.state_registry_url.empty())
      return "the signed state in " + options.state_registry_url + " (registry-only)";
    return options.ground_control_url;
  }

  // Ground control's config, applied while everything runs (the feed thread calls it).
  void apply(const common::fleet_wire::SatelliteConfig& config) {
    // Registry-only, the credentials are the flags', not a config's (state holds none).
    if (registry_state && options.state_registry_url.empty()) registry_state->note_config(config);
    logger->info("config {} ({}): upstream {}, bandwidth {} B/s, sync window '{}', grace {} s",
                 config.name, config.digest, config.upstream_url, config.bandwidth_limit,
                 config.sync_window, config.gc_grace.count());
    if (options.upstream.url.empty())
      puller->set_upstream({config.upstream_url, config.upstream_username, config.upstream_password,
                            config.upstream_insecure, options.upstream.ca_file});
    puller->set_bandwidth_limit(config.bandwidth_limit);
    auto settings = options.agent;
    if (auto window = agent::SyncWindow::parse(config.sync_window)) {
      settings.window = *window;
    } else {
      logger->warn("config {}: {}; pulling at any time", config.name, window.error().message());
    }
    settings.pass.removal_grace = config.gc_grace;
    agent->update_settings(std::move(settings));
    if (proxy) proxy->configure(options.proxy || config.proxy_enabled, config.proxy_repositories);
    if (reporter) reporter->set_heartbeat_interval(config.heartbeat_interval);
    record_mirror_target(upstream_config(options.upstream, config.upstream_url).url,
                         config.runtimes);
  }

  // What `satellite mirror-config --data-dir` (the privileged one-shot) points the runtimes
  // at; a failure only costs that, so it is logged.
  void record_mirror_target(const std::string& upstream, const std::vector<std::string>& runtimes) {
    if (upstream.empty()) return;
    {
      const std::lock_guard lock(mirror_mutex);
      mirror_upstream = upstream;
      mirror_runtimes = runtimes;
    }
    runtime_config::MirrorTarget target;
    target.plan.mirror = runtime_config::local_address(app->address());
    target.plan.upstream = upstream;
    target.runtimes = runtimes;
    if (auto saved = runtime_config::save_mirror_target(
            runtime_config::mirror_target_path(data_dir()), target);
        !saved)
      logger->warn("recording the runtimes' mirror target: {}", saved.error().message());
  }

  // What ground control's commands do on this satellite (docs/adr/0008).
  fleet::CommandActions command_actions() {
    fleet::CommandActions actions;
    actions.sync_state = [this](std::string_view target, const fleet::StillWorking& working,
                                std::stop_token stop) {
      return fleet::wait_for_state(
          std::string(target), [this] { return convergence_view(agent->summary()); }, working,
          fleet::ConvergenceTiming{}, std::move(stop));
    };
    actions.report_status = [this] {
      reporter->status_changed();  // sent within a second by the reporter's thread
      return common::Status{};
    };
    actions.collect_garbage = [this] {
      app->trigger_gc();
      return common::Status{};
    };
    actions.rewrite_runtimes = [this]() -> common::Status {
      std::string upstream;
      std::vector<std::string> runtimes;
      {
        const std::lock_guard lock(mirror_mutex);
        upstream = mirror_upstream;
        runtimes = mirror_runtimes;
      }
      if (upstream.empty())
        return common::fail(common::ErrorCode::kUnavailable,
                            "no upstream known yet: no config from ground control");
      record_mirror_target(upstream, runtimes);
      return {};
    };
    if (ground_control) {
      actions.refresh_credentials = [this](const fleet::StillWorking& working,
                                           std::stop_token stop) {
        return ground_control->refresh_credentials(working, std::move(stop));
      };
    }
    return actions;
  }

  // Starts the NATS channel once for `satellite` (its name); a no-op without --nats, before
  // the name is known, once it runs, or after shutdown began. Any thread.
  void ensure_nats(const std::string& satellite) {
    if (options.nats_servers.empty() || satellite.empty() || !ground_control) return;
    const std::lock_guard lock(nats_mutex);
    if (nats || nats_closed) return;
    auto key = fleet::load_or_make_nats_user_key(data_dir() + "/identity");
    if (!key) {
      logger->error("NATS channel off: the NATS user key: {}", key.error().message());
      nats_closed = true;
      return;
    }
    auto opened = open_ledger(data_dir() + "/agent/answered-commands.json", logger);
    if (!opened) {
      logger->error("NATS channel off: {}", opened.error().message());
      nats_closed = true;
      return;
    }
    ledger.emplace(std::move(*opened));
    executor.emplace(satellite, command_actions(), *ledger, clock, logger);
    fleet::NatsChannelOptions nats_options;
    nats_options.satellite = satellite;
    nats_options.servers = options.nats_servers;
    nats_options.jetstream_domain = options.nats_domain;
    nats_options.tls.ca_file = identity->ca_file();
    nats = std::make_unique<fleet::NatsChannel>(
        std::move(nats_options), std::move(*key),
        [this](std::string_view public_key) -> common::Result<common::fleet_wire::NatsCredentials> {
          const auto client = ground_control->client();
          if (!client) return common::fail(common::ErrorCode::kUnavailable, "not enrolled yet");
          return client->nats_credentials(public_key);
        },
        *executor, clock, logger);
    nats->start();
    logger->info("NATS channel for {} via {}", satellite, fmt::join(options.nats_servers, ","));
  }

  std::mutex event_mutex;  // guards what was last sent, below
  std::string last_sync_event;
  std::optional<std::chrono::system_clock::time_point> disk_low_sent;
  std::optional<std::chrono::system_clock::time_point> certificate_sent;

  void stop_nats() {
    const std::lock_guard lock(nats_mutex);
    nats_closed = true;
    if (nats) nats->stop();
  }

  // Best effort: dropped when NATS is off or down.
  void publish_event(common::fleet_wire::EventType type, std::string message,
                     std::string state_digest) {
    const std::lock_guard lock(nats_mutex);
    if (nats && !nats_closed)
      nats->publish_event(type, std::move(message), std::move(state_digest));
  }

  // A pass that ends like the last one (same state, same failing) says nothing new: only a
  // change is an event, so a resync every minute does not flood the audit trail.
  void sync_event(const agent::AgentStatus& status) {
    const bool failed = status.counts.failed > 0 || !status.feed_error.empty();
    auto key = fmt::format("{}/{}/{}", status.state_digest, status.counts.failed,
                           status.feed_error.empty());
    {
      const std::lock_guard lock(event_mutex);
      if (key == last_sync_event) return;
      last_sync_event = std::move(key);
    }
    auto message = fmt::format("{} present, {} pulling, {} failed", status.counts.present,
                               status.counts.pulling, status.counts.failed);
    if (!status.feed_error.empty()) message += "; state feed: " + status.feed_error;
    publish_event(failed ? common::fleet_wire::EventType::kSyncFailed
                         : common::fleet_wire::EventType::kSyncCompleted,
                  std::move(message), status.state_digest);
  }

  // Checked at each heartbeat: the registry's disk under 10 % free, the device certificate
  // in the last third of its life. Sent when the condition starts, then once a day while it
  // lasts, never at every heartbeat.
  void health_events() {
    const auto now = clock.now();
    const auto disk = disk_space(data_dir());
    if (due(disk.total > 0 && disk.free * 10 < disk.total, disk_low_sent, now))
      publish_event(common::fleet_wire::EventType::kDiskLow,
                    fmt::format("{} of {} bytes free", disk.free, disk.total), "");
    bool expiring = false;
    std::string until;
    if (identity) {
      if (const auto validity = identity->validity()) {
        expiring = 3 * (validity->not_after - now) < validity->not_after - validity->not_before;
        until = common::format_rfc3339(validity->not_after);
      }
    }
    if (due(expiring, certificate_sent, now))
      publish_event(common::fleet_wire::EventType::kCertificateExpiring,
                    "the device certificate expires at " + until, "");
  }

  // Whether a condition's event is due: it holds and was not sent within a day (or ever).
  bool due(bool holds, std::optional<std::chrono::system_clock::time_point>& sent,
           std::chrono::system_clock::time_point now) {
    const std::lock_guard lock(event_mutex);
    if (!holds) {
      sent.reset();
      return false;
    }
    if (sent && now - *sent < std::chrono::hours(24)) return false;
    sent = now;
    return true;
  }

  common::Result<std::unique_ptr<agent::StateSource>> make_source() {
    if (!options.state_file.empty())
      return std::unique_ptr<agent::StateSource>(std::make_unique<agent::StateFileSource>(
          options.state_file, options.upstream.url, options.state_poll_interval));
    if (!options.state_registry_url.empty()) return registry_only_source();
    auto opened = fleet::DeviceIdentity::open(data_dir() + "/identity");
    if (!opened) return common::fail(opened.error());
    identity.emplace(std::move(*opened));
    if (!options.identity_cert_file.empty())
      identity->use_external(options.identity_cert_file, options.identity_key_file);
    auto source = std::make_unique<fleet::GroundControlSource>(
        fleet::GroundControlOptions{options.ground_control_url, options.token,
                                    options.enrollment_name, options.enrollment_labels,
                                    options.ca_file, options.ca_fingerprint, options.state_wait},
        *identity, [this](const common::fleet_wire::SatelliteConfig& c) { apply(c); }, clock,
        logger);
    ground_control = source.get();
    if (options.tls_listen) {
      auto keeper = fleet::ServingCertificateKeeper::open(data_dir() + "/identity", clock, logger);
      if (!keeper) return common::fail(keeper.error());
      serving.emplace(std::move(*keeper));
      source->keep_serving_certificate(*serving,
                                       [this](const fleet::ServingFiles& f) { serve_tls(f); });
    }
    // While ground control is down: the signed state it published into the registry.
    auto fallback = fleet::RegistryStateSource::open(
        {data_dir(), options.state_poll_interval, options.upstream.ca_file,
         data_dir() + "/identity/upstream-credentials.json"},
        [this](const common::fleet_wire::SatelliteConfig& c) { apply(c); },
        [this] {
          if (reporter) reporter->status_changed();
        },
        clock, logger);
    if (!fallback) return common::fail(fallback.error());
    registry_state = fallback->get();
    return std::unique_ptr<agent::StateSource>(std::make_unique<agent::FallbackStateSource>(
        std::move(source), std::move(*fallback),
        [this](const common::fleet_wire::SatelliteState& s) { registry_state->learn(s); }, logger));
  }

  // Proxied images follow the strictest signature policy the state names (its groups'; a
  // headless state file may name policies without listing groups).
  void follow_signature_policy(const common::fleet_wire::SatelliteState& state) {
    if (!proxy) return;
    std::vector<std::string> groups;
    for (const auto& [group, policy] : state.signature_policies) groups.push_back(group);
    proxy->set_signature_policy(
        common::fleet_wire::effective_signature_policy(state.signature_policies, groups));
  }

  // Registry-only: the signed state in the registry is the only source; what ground control
  // would tell over mTLS (name, registry, keys, credentials) comes from the flags.
  common::Result<std::unique_ptr<agent::StateSource>> registry_only_source() {
    common::fleet_wire::StateRegistry registry{
        options.state_registry_url, options.state_project, {}};
    for (const auto& file : options.state_key_files) {
      auto pem = common::fs::read_file(file);
      if (!pem) return common::fail(pem.error());
      registry.trusted_keys.push_back(std::move(*pem));
    }
    auto source = fleet::RegistryStateSource::open(
        {data_dir(), options.state_poll_interval, options.upstream.ca_file},
        [this](const common::fleet_wire::SatelliteConfig& c) { apply(c); }, [] {}, clock, logger);
    if (!source) return common::fail(source.error());
    registry_state = source->get();
    registry_state->learn(options.satellite_name, registry);
    registry_state->use_credentials(options.state_registry_url, options.upstream.username,
                                    options.upstream.password);
    return std::unique_ptr<agent::StateSource>(std::move(*source));
  }

  common::Status build() {
    auto made_app = RegistryApp::create(options.serve, logger);
    if (!made_app) return common::fail(made_app.error());
    app = std::move(*made_app);

    replication::PullerOptions puller_options;
    puller_options.state_dir = data_dir() + "/replication";
    puller_options.parallel_blobs = options.parallel_blobs;
    auto made_puller = replication::ImagePuller::create(app->registry(), puller_options, logger);
    if (!made_puller) return common::fail(made_puller.error());
    puller = std::move(*made_puller);
    puller->set_bandwidth_limit(options.bandwidth_limit);
    if (!options.upstream.url.empty())
      puller->set_upstream(upstream_config(options.upstream, options.upstream.url));

    auto source = make_source();
    if (!source) return common::fail(source.error());
    agent::AgentHooks hooks;
    if (!ground_control) {  // headless: the state names the upstream
      hooks.state_received = [this](const common::fleet_wire::SatelliteState& state) {
        follow_signature_policy(state);
        auto upstream = upstream_config(options.upstream, state.upstream_url);
        record_mirror_target(upstream.url, {});
        puller->set_upstream(std::move(upstream));
      };
    }
    if (ground_control) {
      hooks.state_received = [this](const common::fleet_wire::SatelliteState& state) {
        follow_signature_policy(state);
        ensure_nats(state.satellite);
        publish_event(common::fleet_wire::EventType::kSyncStarted,
                      fmt::format("{} artifacts", state.artifacts.size()), state.state_digest);
      };
      ground_control->on_enrollment([this](const fleet::Enrollment& e) {
        registry_state->learn(e.satellite, e.state_registry);
        ensure_nats(e.satellite);
      });
    }
    hooks.collect_garbage = [this] { app->trigger_gc(); };
    hooks.synced = [this](const agent::AgentStatus& status) {
      if (reporter) reporter->status_changed();
      sync_event(status);
    };
    auto made_agent =
        agent::Agent::create(app->registry(), pull_through(*puller), std::move(*source),
                             options.agent, data_dir() + "/agent", std::move(hooks), clock, logger);
    if (!made_agent) return common::fail(made_agent.error());
    agent = std::move(*made_agent);
    if (auto added = add_agent_metrics(app->metrics(), *agent,
                                       [this] { return puller->bytes_transferred(); });
        !added)
      return common::fail(added.error());

    // Proxy mode: always ready under ground control (its config turns it on and off).
    if (options.proxy || ground_control) {
      proxy = std::make_unique<proxy::PullThroughProxy>(
          app->registry(), *puller,
          proxy::ProxyOptions{options.proxy_repositories, options.proxy_disk_quota,
                              options.agent.pass.platforms, 2, data_dir() + "/proxy/cache.json",
                              options.proxy_tag_ttl},
          [this](const std::string& repository, const common::Digest& digest) {
            return agent->wants(repository, digest);
          },
          [this] { app->trigger_gc(); }, clock, logger);
      proxy->configure(options.proxy, options.proxy_repositories);
      app->set_content_fetcher(proxy.get());
    }
    if (ground_control) {
      reporter =
          std::make_unique<fleet::FleetReporter>(*ground_control,
                                                 fleet::ReporterInputs{[this] {
                                                                         health_events();
                                                                         return heartbeat();
                                                                       },
                                                                       [this] { return status(); }},
                                                 clock, logger);
    }
    return {};
  }

  // The HTTPS listener with the serving certificate: started with the first one (held at
  // start or issued later), its files re-read after each renewal.
  void serve_tls(const fleet::ServingFiles& files) {
    auto config = options.serve.server;
    config.host = options.tls_listen->host;
    config.port = options.tls_listen->port;
    config.tls = common::http::TlsConfig{files.certificate_file, files.key_file, "",
                                         common::http::ClientCertMode::kOff};
    auto bound = app->serve_tls(std::move(config));
    if (!bound) {
      logger->warn("HTTPS listener: {}", bound.error().message());
      return;
    }
    if (tls_announced) return;
    tls_announced = true;
    std::printf("tls listening on %s\n", bound->c_str());
    std::fflush(stdout);
    logger->info("serving HTTPS on {} with {}", *bound, files.certificate_file);
  }

  common::fleet_wire::Heartbeat heartbeat() const {
    common::fleet_wire::Heartbeat beat;
    beat.version = options.version;
    beat.uptime_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(clock.steady_now() - started).count();
    beat.disk_used_bytes = static_cast<std::int64_t>(app->registry().storage_stats().bytes);
    beat.disk_free_bytes = disk_space(data_dir()).free;
    beat.bytes_transferred = static_cast<std::int64_t>(puller->bytes_transferred());
    beat.state_digest = agent->summary().applied_state_digest;
    return beat;
  }

  common::fleet_wire::StatusReport status() const {
    auto now = agent->status();
    common::fleet_wire::StatusReport report;
    report.state_digest = now.state_digest;
    report.last_sync_time = now.last_sync_time;
    report.last_sync_duration_ms = now.last_sync_duration_ms;
    if (now.artifacts.size() > common::fleet_wire::kMaxReportedArtifacts)
      now.artifacts.erase(now.artifacts.begin() + common::fleet_wire::kMaxReportedArtifacts,
                          now.artifacts.end());
    report.artifacts = std::move(now.artifacts);
    if (registry_state)
      if (auto refusal = registry_state->last_refusal())
        report.state_refusal = refusal->substr(0, common::fleet_wire::kMaxReasonBytes);
    return report;
  }
};

}  // namespace

common::Status run_command(const RunOptions& options, common::log::Logger logger) {
  const auto signals = prepare_process(logger);
  Satellite satellite{options, logger};
  if (auto built = satellite.build(); !built) return built;
  std::printf("listening on %s\n", satellite.app->address().c_str());
  std::fflush(stdout);
  if (satellite.serving && satellite.serving->has_certificate())
    satellite.serve_tls(satellite.serving->files());  // ground control may be unreachable
  logger->info("serving {} from {}; agent following {}", satellite.app->address(),
               satellite.data_dir(), satellite.agent_source());
  satellite.agent->start();
  if (satellite.reporter) satellite.reporter->start();
  // After a restart the name comes from the state held; else from the first state.
  satellite.ensure_nats(satellite.agent->satellite_name());
  serve_until_signalled(*satellite.app, signals, logger, [&] {
    satellite.stop_nats();  // a sync command in flight waits on the agent
    if (satellite.reporter) satellite.reporter->stop();
    if (satellite.proxy) satellite.proxy->stop();  // a fetch in flight holds the drain
    satellite.agent->stop();
  });
  satellite.stop_nats();
  if (satellite.reporter) satellite.reporter->stop();
  satellite.agent->stop();
  return {};
}

}  // namespace satellite
