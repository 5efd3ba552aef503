// Agent: the satellite's control loop. A feed thread takes desired states from the
// StateSource (ground control's long-poll, or a file) and keeps the last one on disk; a sync
// thread runs a reconcile pass whenever the state or the settings change, when a failed
// artifact's retry is due, and every `resync` (removal grace, an image deleted by hand).
// Everything held keeps being served whatever the feed or the upstream do: the agent only
// ever adds, tags and, for what it placed, removes. Start order: create(), start(); stop()
// (or the destructor) stops and joins both threads, aborting a pull in flight (its bytes
// stay for resume). Thread-safety: status(), update_settings() and stop() from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/clock.hpp"
#include "common/log/logger.hpp"
#include "satellite/agent/artifact_tracker.hpp"
#include "satellite/agent/desired_state_store.hpp"
#include "satellite/agent/owned_artifacts.hpp"
#include "satellite/agent/reconciler.hpp"
#include "satellite/agent/state_source.hpp"
#include "satellite/agent/sync_window.hpp"

namespace satellite::agent {

// What may change while the agent runs (config from ground control).
struct AgentSettings {
  PassSettings pass;
  SyncWindow window;                         // pulls only inside it
  std::chrono::seconds resync{60};           // a pass at least this often
  RetryPolicy retry;                         // per artifact
  std::chrono::seconds feed_retry_max{300};  // back-off cap when the source fails
};

// A snapshot of how far the agent is.
struct AgentStatus {
  std::string state_digest;          // the desired state it works on ("" none yet)
  std::string applied_state_digest;  // the last state fully applied ("" none yet)
  std::string last_sync_time;        // RFC 3339 end of the last pass
  std::int64_t last_sync_duration_ms = 0;
  std::uint64_t passes = 0;
  std::vector<common::fleet_wire::ArtifactReport> artifacts;
  TrackerCounts counts;
  std::string feed_error;  // why the source could not be read lately ("" fine)
  bool window_open = true;
};

// Called from the agent's threads; keep them short.
struct AgentHooks {
  // A new desired state arrived (before the pass that applies it): e.g. its upstream URL.
  std::function<void(const common::fleet_wire::SatelliteState&)> state_received;
  // A pass ended (report it); the summary, without the per-artifact list.
  std::function<void(const AgentStatus&)> synced;
  // A pass deleted manifests: their blobs await collection.
  std::function<void()> collect_garbage;
};

class Agent {
 public:
  // Loads the ledger and the last desired state from `agent_dir` (created). Errors: the
  // ledger's (a corrupt ledger stops the agent rather than let it remove the wrong things).
  [[nodiscard]] static common::Result<std::unique_ptr<Agent>> create(
      registry::RegistryService& registry, PullFunction pull, std::unique_ptr<StateSource> source,
      AgentSettings settings, std::string agent_dir, AgentHooks hooks, const common::Clock& clock,
      common::log::Logger logger);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  void start();
  void stop();
  // Takes effect at the next pass, which it starts.
  void update_settings(AgentSettings settings);
  [[nodiscard]] AgentStatus status() const;
  // The same without the per-artifact list (counts only): what /metrics and heartbeats read,
  // cheap however many artifacts there are.
  [[nodiscard]] AgentStatus summary() const;
  // The satellite's name as the current desired state gives it ("" no state yet).
  [[nodiscard]] std::string satellite_name() const;
  // True when the current desired state names (repository, digest): content the proxy's
  // cache eviction must leave alone.
  [[nodiscard]] bool wants(const std::string& repository, const common::Digest& digest) const;

 private:
  Agent(registry::RegistryService& registry, PullFunction pull, std::unique_ptr<StateSource> source,
        AgentSettings settings, std::string agent_dir, AgentHooks hooks, OwnedArtifacts owned,
        const common::Clock& clock, common::log::Logger logger);
  void feed(std::stop_token stop);
  void sync(std::stop_token stop);
  void run_one_pass(const common::fleet_wire::SatelliteState& state, const AgentSettings& settings,
                    std::stop_token stop);

  std::unique_ptr<StateSource> source_;
  DesiredStateStore store_;
  AgentHooks hooks_;
  OwnedArtifacts owned_;  // the sync thread's only
  ArtifactTracker tracker_;
  Reconciler reconciler_;
  const common::Clock& clock_;
  common::log::Logger logger_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable_any wake_;
  std::optional<common::fleet_wire::SatelliteState> desired_;
  AgentSettings settings_;
  bool changed_ = false;  // state or settings changed since the last pass
  AgentStatus status_;

  std::jthread feed_thread_;
  std::jthread sync_thread_;
};

}  // namespace satellite::agent
