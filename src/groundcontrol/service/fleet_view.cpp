#include "groundcontrol/service/fleet_view.hpp"

#include <algorithm>
#include <mutex>

namespace groundcontrol::service {

FleetView::Watch::Watch(Watch&& other) noexcept
    : view_(std::exchange(other.view_, nullptr)),
      satellite_(std::move(other.satellite_)),
      id_(other.id_) {}

FleetView::Watch::~Watch() {
  if (view_ != nullptr) view_->unwatch(satellite_, id_);
}

std::string FleetView::share_key(const Satellite& satellite) {
  std::string key = satellite.config;
  for (const auto& group : satellite.groups) key.append("\n").append(group);
  return key;
}

void FleetView::forget_shared(std::string_view changed, bool is_config) {
  std::erase_if(shared_states_, [&](const auto& entry) {
    const auto& shared = entry.second;
    if (is_config) return shared.config == changed;
    return std::binary_search(shared.groups.begin(), shared.groups.end(), changed);
  });
}

std::shared_ptr<const RenderedState> FleetView::render(const Satellite& satellite) {
  const auto key = share_key(satellite);
  auto& shared = shared_states_[key];
  if (auto state = shared.state.lock()) return state;
  std::vector<model::GroupArtifacts> inputs;
  inputs.reserve(satellite.groups.size());
  for (const auto& name : satellite.groups) {
    const auto& group = groups_.find(name)->second;
    inputs.push_back({name, group.artifacts,
                      group.spec.signature_policy ? &*group.spec.signature_policy : nullptr});
  }
  const auto config = configs_.find(satellite.config);
  const auto summary =
      config != configs_.end() ? config->second : model::ConfigSummary{satellite.config, "", ""};
  auto state = std::make_shared<const RenderedState>(
      model::render_desired_state("", inputs, summary, state_registry_));
  shared = SharedState{satellite.groups, satellite.config, state};
  return state;
}

void FleetView::leave_groups(const std::string& name, const std::vector<std::string>& groups) {
  for (const auto& group : groups) {
    const auto found = members_.find(group);
    if (found == members_.end()) continue;
    found->second.erase(name);
    if (found->second.empty()) members_.erase(found);
  }
}

void FleetView::refresh(const std::string& name, Satellite& satellite, Wakeups& fire) {
  leave_groups(name, satellite.groups);
  satellite.groups.clear();
  for (const auto& [group_name, group] : groups_)
    if (group.spec.has_member(name, satellite.labels)) satellite.groups.push_back(group_name);
  for (const auto& group : satellite.groups) members_[group].insert(name);
  auto state = render(satellite);
  const bool changed = !satellite.state || satellite.state->state_digest != state->state_digest;
  satellite.state = std::move(state);
  if (!changed) return;
  state_changes_.fetch_add(1, std::memory_order_release);
  collect_watchers(name, fire);
}

void FleetView::collect_watchers(std::string_view satellite, Wakeups& fire) {
  std::lock_guard lock(watch_mutex_);
  const auto found = watchers_.find(std::string(satellite));
  if (found == watchers_.end()) return;
  for (const auto& [id, wakeup] : found->second) fire.push_back(wakeup);
}

void FleetView::fire_all(const Wakeups& fire) {
  for (const auto& wakeup : fire) wakeup->fire();
}

void FleetView::put_group(const std::string& name, const model::GroupSpec& spec,
                          std::vector<model::Artifact> artifacts) {
  Wakeups fire;
  {
    std::unique_lock lock(mutex_);
    groups_.insert_or_assign(name, Group{spec, std::move(artifacts)});
    forget_shared(name, false);
    for (auto& [satellite_name, satellite] : satellites_) {
      const bool was = std::binary_search(satellite.groups.begin(), satellite.groups.end(), name);
      if (was || spec.has_member(satellite_name, satellite.labels))
        refresh(satellite_name, satellite, fire);
    }
  }
  fire_all(fire);
}

void FleetView::remove_group(std::string_view name) {
  Wakeups fire;
  {
    std::unique_lock lock(mutex_);
    const auto found = groups_.find(name);
    if (found == groups_.end()) return;
    const std::string removed = found->first;
    groups_.erase(found);
    forget_shared(removed, false);
    for (auto& [satellite_name, satellite] : satellites_) {
      if (std::binary_search(satellite.groups.begin(), satellite.groups.end(), removed))
        refresh(satellite_name, satellite, fire);
    }
  }
  fire_all(fire);
}

void FleetView::put_satellite(const std::string& name, model::Labels labels, std::string config,
                              std::vector<std::string> serials) {
  Wakeups fire;
  {
    std::unique_lock lock(mutex_);
    auto& satellite = satellites_[name];
    satellite.labels = std::move(labels);
    satellite.config = std::move(config);
    for (const auto& serial : satellite.serials) serials_.erase(serial);
    satellite.serials = std::move(serials);
    for (const auto& serial : satellite.serials) serials_[serial] = name;
    refresh(name, satellite, fire);
  }
  fire_all(fire);
}

void FleetView::remove_satellite(std::string_view name) {
  Wakeups fire;
  {
    std::unique_lock lock(mutex_);
    const auto found = satellites_.find(name);
    if (found == satellites_.end()) return;
    for (const auto& serial : found->second.serials) serials_.erase(serial);
    leave_groups(found->first, found->second.groups);
    satellites_.erase(found);
    collect_watchers(name, fire);
  }
  fire_all(fire);
}

void FleetView::put_config(const std::string& name, model::ConfigSummary config) {
  Wakeups fire;
  {
    std::unique_lock lock(mutex_);
    configs_.insert_or_assign(name, std::move(config));
    forget_shared(name, true);
    for (auto& [satellite_name, satellite] : satellites_)
      if (satellite.config == name) refresh(satellite_name, satellite, fire);
  }
  fire_all(fire);
}

void FleetView::set_state_registry(common::fleet_wire::StateRegistry state_registry) {
  Wakeups fire;
  {
    std::unique_lock lock(mutex_);
    if (state_registry_ == state_registry) return;
    state_registry_ = std::move(state_registry);
    shared_states_.clear();
    for (auto& [satellite_name, satellite] : satellites_) refresh(satellite_name, satellite, fire);
  }
  fire_all(fire);
}

common::fleet_wire::StateRegistry FleetView::state_registry() const {
  std::shared_lock lock(mutex_);
  return state_registry_;
}

void FleetView::remove_config(std::string_view name) {
  Wakeups fire;
  {
    std::unique_lock lock(mutex_);
    const auto found = configs_.find(name);
    if (found == configs_.end()) return;
    const std::string removed = found->first;
    configs_.erase(found);
    forget_shared(removed, true);
    for (auto& [satellite_name, satellite] : satellites_)
      if (satellite.config == removed) refresh(satellite_name, satellite, fire);
  }
  fire_all(fire);
}

std::optional<std::string> FleetView::satellite_for_serial(std::string_view serial) const {
  std::shared_lock lock(mutex_);
  const auto found = serials_.find(std::string(serial));
  if (found == serials_.end()) return std::nullopt;
  return found->second;
}

std::shared_ptr<const RenderedState> FleetView::state_of(std::string_view satellite) const {
  std::shared_lock lock(mutex_);
  const auto found = satellites_.find(satellite);
  return found == satellites_.end() ? nullptr : found->second.state;
}

FleetView::Watch FleetView::watch(std::string_view satellite,
                                  std::shared_ptr<common::http::Wakeup> wakeup) {
  std::lock_guard lock(watch_mutex_);
  const auto id = next_watch_id_++;
  watchers_[std::string(satellite)].emplace_back(id, std::move(wakeup));
  return Watch(this, std::string(satellite), id);
}

void FleetView::unwatch(const std::string& satellite, std::uint64_t id) {
  std::lock_guard lock(watch_mutex_);
  const auto found = watchers_.find(satellite);
  if (found == watchers_.end()) return;
  std::erase_if(found->second, [id](const auto& entry) { return entry.first == id; });
  if (found->second.empty()) watchers_.erase(found);
}

FleetView::Names FleetView::names() const {
  std::shared_lock lock(mutex_);
  Names out;
  for (const auto& [name, group] : groups_) out.groups.push_back(name);
  for (const auto& [name, satellite] : satellites_) out.satellites.push_back(name);
  for (const auto& [name, config] : configs_) out.configs.push_back(name);
  return out;
}

std::optional<std::string> FleetView::config_of(std::string_view satellite) const {
  std::shared_lock lock(mutex_);
  const auto found = satellites_.find(satellite);
  if (found == satellites_.end()) return std::nullopt;
  return found->second.config;
}

std::chrono::seconds FleetView::heartbeat_interval_of(std::string_view satellite) const {
  std::shared_lock lock(mutex_);
  const auto found = satellites_.find(satellite);
  if (found == satellites_.end()) return model::ConfigSummary{}.heartbeat_interval;
  const auto config = configs_.find(found->second.config);
  return config == configs_.end() ? model::ConfigSummary{}.heartbeat_interval
                                  : config->second.heartbeat_interval;
}

std::chrono::seconds FleetView::poll_interval_of(std::string_view satellite) const {
  std::shared_lock lock(mutex_);
  const auto found = satellites_.find(satellite);
  if (found == satellites_.end()) return model::ConfigSummary{}.poll_interval;
  const auto config = configs_.find(found->second.config);
  return config == configs_.end() ? model::ConfigSummary{}.poll_interval
                                  : config->second.poll_interval;
}

std::size_t FleetView::satellite_count() const {
  std::shared_lock lock(mutex_);
  return satellites_.size();
}

void FleetView::visit_satellites(const std::function<void(const SatelliteFacts&)>& visit) const {
  std::shared_lock lock(mutex_);
  for (const auto& [name, satellite] : satellites_) {
    const auto config = configs_.find(satellite.config);
    const auto interval = config == configs_.end() ? model::ConfigSummary{}.heartbeat_interval
                                                   : config->second.heartbeat_interval;
    const auto& state = satellite.state;
    visit({name, satellite.labels, satellite.groups,
           state ? std::string_view(state->state_digest) : std::string_view(),
           state ? state->artifacts.size() : 0, interval});
  }
}

std::vector<std::string> FleetView::group_names() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> names;
  names.reserve(groups_.size());
  for (const auto& [name, group] : groups_) names.push_back(name);
  return names;
}

std::optional<std::vector<model::Artifact>> FleetView::artifacts_of(std::string_view group) const {
  std::shared_lock lock(mutex_);
  const auto found = groups_.find(group);
  if (found == groups_.end()) return std::nullopt;
  return found->second.artifacts;
}

std::optional<common::fleet_wire::SignaturePolicy> FleetView::signature_policy_of(
    std::string_view group) const {
  std::shared_lock lock(mutex_);
  const auto found = groups_.find(group);
  if (found == groups_.end()) return std::nullopt;
  return found->second.spec.signature_policy;
}

std::vector<std::string> FleetView::config_names() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> names;
  names.reserve(configs_.size());
  for (const auto& [name, config] : configs_) names.push_back(name);
  return names;
}

std::vector<std::string> FleetView::members_of(std::string_view group) const {
  std::shared_lock lock(mutex_);
  const auto found = members_.find(group);
  if (found == members_.end()) return {};
  return {found->second.begin(), found->second.end()};
}

std::size_t FleetView::member_count(std::string_view group) const {
  std::shared_lock lock(mutex_);
  const auto found = members_.find(group);
  return found == members_.end() ? 0 : found->second.size();
}

}  // namespace groundcontrol::service
