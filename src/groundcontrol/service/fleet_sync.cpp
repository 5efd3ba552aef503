#include "groundcontrol/service/fleet_sync.hpp"

#include <spdlog/logger.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/crypto/hasher.hpp"
#include "groundcontrol/model/kind.hpp"
#include "groundcontrol/model/satellite.hpp"
#include "groundcontrol/model/satellite_config.hpp"

namespace groundcontrol::service {
namespace {

using common::fail;
using common::sql::Connection;
using model::Kind;
using nlohmann::json;

constexpr std::size_t kChangesPerRead = 1000;

std::string_view name_of(Kind kind) {
  return model::info(kind).name;
}

}  // namespace

model::ConfigSummary summarize_config(const store::Resource& config) {
  const auto spec = json::parse(config.spec, nullptr, false);
  std::string upstream;
  if (spec.is_object() && spec.contains("upstream") && spec["upstream"].is_object() &&
      spec["upstream"].contains("url") && spec["upstream"]["url"].is_string())
    upstream = spec["upstream"]["url"].get<std::string>();
  model::ConfigSummary summary{config.meta.name, common::crypto::digest_of(config.spec).str(),
                               std::move(upstream)};
  if (auto parsed = model::parse_satellite_config_spec(&spec)) {
    summary.poll_interval = parsed->state_poll_interval;
    summary.heartbeat_interval = parsed->heartbeat_interval;
  }
  return summary;
}

void FleetSync::apply(const store::Resource& object, bool deleted,
                      const std::vector<model::Artifact>* sourced) {
  const auto kind = model::kind_from_name(object.kind);
  if (!kind) return;  // kinds the view does not hold
  const auto& name = object.meta.name;
  switch (*kind) {
    case Kind::kGroup: {
      if (deleted) return view_.remove_group(name);
      auto spec = model::parse_group_spec(json::parse(object.spec, nullptr, false));
      if (!spec) {
        logger_->error("group {}: stored spec unreadable: {}", name, spec.error().message());
        return;
      }
      auto artifacts = spec->artifacts;
      if (sourced != nullptr) artifacts.insert(artifacts.end(), sourced->begin(), sourced->end());
      return view_.put_group(name, *spec, std::move(artifacts));
    }
    case Kind::kSatellite: {
      if (deleted) return view_.remove_satellite(name);
      const auto parsed = json::parse(object.spec, nullptr, false);
      auto spec = model::parse_satellite_spec(&parsed);
      std::vector<std::string> serials;
      const auto status = json::parse(object.status, nullptr, false);
      if (status.is_object() && status.contains("acceptedSerials") &&
          status["acceptedSerials"].is_array())
        for (const auto& serial : status["acceptedSerials"])
          if (serial.is_string()) serials.push_back(serial.get<std::string>());
      return view_.put_satellite(name, object.meta.labels,
                                 spec ? spec->config : std::string(model::kDefaultConfigName),
                                 std::move(serials));
    }
    case Kind::kSatelliteConfig:
      if (deleted) return view_.remove_config(name);
      return view_.put_config(name, summarize_config(object));
    case Kind::kEnrollmentRequest:
    case Kind::kRegistryEndpoint:
      return;  // no part of any satellite's state
  }
}

common::Status FleetSync::load() {
  common::Status done;
  {
    std::lock_guard lock(mutex_);
    done = load_locked();
  }
  wake_advance_waiters();
  return done;
}

common::Status FleetSync::load_locked() {
  std::vector<store::Resource> configs, groups, satellites;
  std::map<std::string, std::vector<model::Artifact>, std::less<>> sourced;
  std::int64_t revision = 0;
  auto read = db_.transact(
      [&](Connection& db) -> common::Status {
        auto current = resources_.revision(db);
        if (!current) return fail(current.error());
        revision = *current;
        for (auto [kind, out] :
             {std::pair{Kind::kSatelliteConfig, &configs}, std::pair{Kind::kGroup, &groups},
              std::pair{Kind::kSatellite, &satellites}}) {
          auto all = resources_.list_all(db, name_of(kind));
          if (!all) return fail(all.error());
          *out = std::move(*all);
        }
        auto sets = harbor_.list_all(db);
        if (!sets) return fail(sets.error());
        sourced = std::move(*sets);
        auto rule_sets = rules_.list_all(db);
        if (!rule_sets) return fail(rule_sets.error());
        for (auto& [group, artifacts] : *rule_sets) {
          auto& into = sourced[group];
          into.insert(into.end(), artifacts.begin(), artifacts.end());
        }
        return {};
      },
      {.read_only = true});
  if (!read) return read;
  // What the database no longer holds leaves the view first (satellites before what they
  // refer to), then everything it holds is put.
  const auto held = view_.names();
  const auto names_of = [](const std::vector<store::Resource>& present) {
    std::set<std::string_view> names;
    for (const auto& r : present) names.insert(r.meta.name);
    return names;
  };
  const auto satellite_names = names_of(satellites);
  const auto group_names = names_of(groups);
  const auto config_names = names_of(configs);
  for (const auto& name : held.satellites)
    if (!satellite_names.contains(name)) view_.remove_satellite(name);
  for (const auto& name : held.groups)
    if (!group_names.contains(name)) view_.remove_group(name);
  for (const auto& name : held.configs)
    if (!config_names.contains(name)) view_.remove_config(name);
  for (const auto& config : configs) apply(config, false, nullptr);
  for (const auto& group : groups) {
    const auto found = sourced.find(group.meta.name);
    apply(group, false, found == sourced.end() ? nullptr : &found->second);
  }
  for (const auto& satellite : satellites) apply(satellite, false, nullptr);
  applied_ = revision;
  return {};
}

common::Status FleetSync::catch_up() {
  common::Status done;
  bool advanced = false;
  {
    std::lock_guard lock(mutex_);
    const auto before = applied_;
    done = catch_up_locked();
    advanced = applied_ != before;
  }
  if (advanced) wake_advance_waiters();
  return done;
}

void FleetSync::notify_on_advance(std::shared_ptr<common::http::Wakeup> wakeup) {
  std::lock_guard lock(waiters_mutex_);
  std::erase_if(advance_waiters_, [](const auto& waiter) { return waiter.expired(); });
  advance_waiters_.push_back(std::move(wakeup));
}

void FleetSync::wake_advance_waiters() {
  std::vector<std::weak_ptr<common::http::Wakeup>> waiters;
  {
    std::lock_guard lock(waiters_mutex_);
    waiters.swap(advance_waiters_);
  }
  for (const auto& waiter : waiters)
    if (auto wakeup = waiter.lock()) wakeup->fire();
}

common::Status FleetSync::catch_up_locked() {
  for (;;) {
    std::vector<store::Change> changes;
    std::map<std::string, std::vector<model::Artifact>, std::less<>> sourced;
    bool gap = false;
    auto read = db_.transact(
        [&](Connection& db) -> common::Status {
          sourced.clear();  // a retried attempt starts over
          auto oldest = resources_.oldest_change(db);
          if (!oldest) return fail(oldest.error());
          gap = *oldest && **oldest > applied_ + 1 && applied_ > 0;
          if (gap) return {};
          auto found = resources_.changes_after(db, applied_, kChangesPerRead);
          if (!found) return fail(found.error());
          changes = std::move(*found);
          for (const auto& change : changes) {
            if (change.object.kind != name_of(Kind::kGroup) ||
                sourced.contains(change.object.meta.name))
              continue;
            auto set = harbor_.list(db, change.object.meta.name);
            if (!set) return fail(set.error());
            auto selected = rules_.list(db, change.object.meta.name);
            if (!selected) return fail(selected.error());
            set->insert(set->end(), selected->begin(), selected->end());
            sourced.emplace(change.object.meta.name, std::move(*set));
          }
          return {};
        },
        {.read_only = true});
    if (!read) return read;
    if (gap) {
      logger_->warn("fleet view: the change log moved past revision {}; reloading", applied_);
      return load_locked();
    }
    if (changes.empty()) return {};
    for (const auto& change : changes) {
      const auto found = sourced.find(change.object.meta.name);
      apply(change.object, change.type == store::ChangeType::kDeleted,
            found == sourced.end() ? nullptr : &found->second);
      applied_ = change.revision;
    }
    if (changes.size() < kChangesPerRead) return {};
  }
}

common::Result<common::sql::Subscription> FleetSync::follow() {
  return db_.listen(
      std::string(kChangeChannel),
      [this](std::string_view) {
        if (auto ok = catch_up(); !ok)
          logger_->warn("fleet view: catching up failed: {}", ok.error().message());
      },
      [this] {
        if (auto ok = catch_up(); !ok)
          logger_->warn("fleet view: catching up after a reconnect failed: {}",
                        ok.error().message());
      });
}

std::int64_t FleetSync::applied_revision() const {
  std::lock_guard lock(mutex_);
  return applied_;
}

}  // namespace groundcontrol::service
