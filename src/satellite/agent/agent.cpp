#include "satellite/agent/agent.hpp"

#include <fmt/format.h>
#include <spdlog/logger.h>

#include <algorithm>
#include <random>

#include "common/fs/file_ops.hpp"
#include "common/time_format.hpp"
#include "satellite/agent/retry_delay.hpp"
#include "satellite/agent/stoppable_sleep.hpp"

namespace satellite::agent {

using common::fleet_wire::SatelliteState;

common::Result<std::unique_ptr<Agent>> Agent::create(registry::RegistryService& registry,
                                                     PullFunction pull,
                                                     std::unique_ptr<StateSource> source,
                                                     AgentSettings settings, std::string agent_dir,
                                                     AgentHooks hooks, const common::Clock& clock,
                                                     common::log::Logger logger) {
  if (auto made = common::fs::make_dirs(agent_dir); !made) return common::fail(made.error());
  auto owned = OwnedArtifacts::load(agent_dir + "/owned.json");
  if (!owned) return common::fail(owned.error());
  auto agent = std::unique_ptr<Agent>(new Agent(registry, std::move(pull), std::move(source),
                                                std::move(settings), agent_dir, std::move(hooks),
                                                std::move(*owned), clock, std::move(logger)));
  auto stored = agent->store_.load();
  if (!stored) {
    agent->logger_->warn("ignoring the stored desired state: {}", stored.error().message());
  } else if (*stored) {
    agent->logger_->info("desired state {} from the last run ({} artifacts)",
                         (*stored)->state_digest, (*stored)->artifacts.size());
    agent->desired_ = std::move(**stored);
    agent->status_.state_digest = agent->desired_->state_digest;
    agent->changed_ = true;
  }
  return agent;
}

Agent::Agent(registry::RegistryService& registry, PullFunction pull,
             std::unique_ptr<StateSource> source, AgentSettings settings, std::string agent_dir,
             AgentHooks hooks, OwnedArtifacts owned, const common::Clock& clock,
             common::log::Logger logger)
    : source_(std::move(source)),
      store_(agent_dir + "/desired-state.json"),
      hooks_(std::move(hooks)),
      owned_(std::move(owned)),
      tracker_(settings.retry),
      reconciler_(registry, owned_, tracker_, std::move(pull), clock, logger),
      clock_(clock),
      logger_(std::move(logger)),
      settings_(std::move(settings)) {}

Agent::~Agent() {
  stop();
}

void Agent::start() {
  sync_thread_ = std::jthread([this](std::stop_token stop) { sync(stop); });
  feed_thread_ = std::jthread([this](std::stop_token stop) { feed(stop); });
}

void Agent::stop() {
  feed_thread_.request_stop();
  sync_thread_.request_stop();
  if (feed_thread_.joinable()) feed_thread_.join();
  if (sync_thread_.joinable()) sync_thread_.join();
}

void Agent::update_settings(AgentSettings settings) {
  {
    std::lock_guard lock(mutex_);
    settings_ = std::move(settings);
    changed_ = true;
  }
  wake_.notify_all();
}

AgentStatus Agent::summary() const {
  AgentStatus out;
  {
    std::lock_guard lock(mutex_);
    out = status_;
  }
  out.counts = tracker_.counts();
  return out;
}

AgentStatus Agent::status() const {
  AgentStatus out = summary();
  out.artifacts = tracker_.report();
  return out;
}

bool Agent::wants(const std::string& repository, const common::Digest& digest) const {
  std::lock_guard lock(mutex_);
  if (!desired_) return false;
  return std::any_of(desired_->artifacts.begin(), desired_->artifacts.end(), [&](const auto& a) {
    return a.repository == repository && a.digest == digest;
  });
}

std::string Agent::satellite_name() const {
  std::lock_guard lock(mutex_);
  return desired_ ? desired_->satellite : std::string();
}

void Agent::feed(std::stop_token stop) {
  std::string known;
  {
    std::lock_guard lock(mutex_);
    if (desired_) known = desired_->state_digest;
  }
  std::mt19937_64 random(std::random_device{}());
  unsigned failures = 0;  // in a row
  logger_->info("following the desired state from {}", source_->describe());
  while (!stop.stop_requested()) {
    auto next = source_->next(known, stop);
    if (stop.stop_requested()) return;
    if (!next) {
      const auto& error = next.error();
      const auto message =
          error.detail().empty() ? error.message() : error.message() + ": " + error.detail();
      std::chrono::milliseconds cap;
      {
        std::lock_guard lock(mutex_);
        if (status_.feed_error != message)
          logger_->warn("{}: {} (still serving what is held; retrying)", source_->describe(),
                        message);
        status_.feed_error = message;
        cap = settings_.feed_retry_max;
      }
      // Doubling from 1 s, capped, with full jitter (0.5–1 s after the first failure), so
      // a fleet that lost its ground control together does not come back together.
      const auto wait = retry_delay(RetryPolicy{std::chrono::seconds(1), cap}, ++failures,
                                    std::uniform_real_distribution<double>(0.0, 1.0)(random));
      sleep_unless_stopped(wait, stop);
      continue;
    }
    failures = 0;
    {
      std::lock_guard lock(mutex_);
      if (!status_.feed_error.empty()) logger_->info("{} reachable again", source_->describe());
      status_.feed_error.clear();
    }
    if (!*next) continue;
    auto& state = **next;
    logger_->info("desired state {} ({} artifacts)", state.state_digest, state.artifacts.size());
    if (auto saved = store_.save(state); !saved)
      logger_->error("cannot keep the desired state on disk: {}", saved.error().message());
    if (hooks_.state_received) hooks_.state_received(state);
    known = state.state_digest;
    {
      std::lock_guard lock(mutex_);
      desired_ = std::move(state);
      status_.state_digest = known;
      changed_ = true;
    }
    wake_.notify_all();
  }
}

void Agent::sync(std::stop_token stop) {
  auto next_pass = clock_.steady_now();
  while (!stop.stop_requested()) {
    std::optional<SatelliteState> state;
    AgentSettings settings;
    {
      std::unique_lock lock(mutex_);
      // The condition variable waits in real time; the clock decides when a pass is due.
      while (!stop.stop_requested() && !changed_ &&
             !(desired_ && clock_.steady_now() >= next_pass)) {
        wake_.wait_for(lock, stop, std::chrono::milliseconds(250), [&] { return changed_; });
      }
      if (stop.stop_requested()) return;
      changed_ = false;
      state = desired_;
      settings = settings_;
    }
    if (!state) continue;
    run_one_pass(*state, settings, stop);
    auto due = clock_.steady_now() + settings.resync;
    if (const auto retry = tracker_.next_retry()) due = std::min(due, *retry);
    next_pass = std::max(due, clock_.steady_now() + std::chrono::seconds(1));
  }
}

void Agent::run_one_pass(const SatelliteState& state, const AgentSettings& settings,
                         std::stop_token stop) {
  PassSettings pass = settings.pass;
  pass.pulls_allowed = settings.window.contains(clock_.now());
  const auto started = clock_.steady_now();
  auto outcome = reconciler_.run_pass(state, pass, stop);
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.steady_now() - started);
  if (!outcome) {
    logger_->error("sync pass: {}", outcome.error().message());
    return;
  }
  if (outcome->pulled > 0 || outcome->failed > 0 || outcome->removed > 0 || outcome->untagged > 0)
    logger_->info("sync pass in {} ms: {} pulled, {} failed, {} waiting, {} untagged, {} removed",
                  took.count(), outcome->pulled, outcome->failed, outcome->waiting,
                  outcome->untagged, outcome->removed);
  {
    std::lock_guard lock(mutex_);
    status_.last_sync_time = common::format_rfc3339(clock_.now());
    status_.last_sync_duration_ms = took.count();
    status_.window_open = pass.pulls_allowed;
    ++status_.passes;
    if (outcome->converged) {
      if (status_.applied_state_digest != state.state_digest)
        logger_->info("desired state {} applied", state.state_digest);
      status_.applied_state_digest = state.state_digest;
    }
  }
  if (outcome->gc_needed && hooks_.collect_garbage) hooks_.collect_garbage();
  if (hooks_.synced) hooks_.synced(summary());
}

}  // namespace satellite::agent
