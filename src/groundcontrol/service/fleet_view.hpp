// FleetView: one replica's in-memory picture of the fleet (ADR 0006): groups with their
// artifacts, satellites with their labels and config, configs; from these, every
// satellite's groups and rendered desired state. It is what answers a state poll (a map
// lookup and a digest compare) and what wakes long-polls: a change that alters a
// satellite's state digest (or removes the satellite) fires the Wakeups watching it.
// Satellites with the same groups and config share one rendered state.
// The view is fed by whoever tails the database's changes; it holds no I/O.
// Thread-safety: every member may be called from any thread; readers share a lock,
// changes take it exclusively and fire wakeups after releasing it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/fleet_wire/satellite_state.hpp"
#include "common/http/wakeup.hpp"
#include "groundcontrol/model/desired_state.hpp"
#include "groundcontrol/model/group.hpp"
#include "groundcontrol/model/labels.hpp"

namespace groundcontrol::service {

using RenderedState = common::fleet_wire::SatelliteState;

class FleetView {
 public:
  // A registration of a Wakeup for one satellite's state; ends when destroyed.
  class Watch {
   public:
    Watch(Watch&& other) noexcept;
    Watch& operator=(Watch&&) = delete;
    ~Watch();

   private:
    friend class FleetView;
    Watch(FleetView* view, std::string satellite, std::uint64_t id)
        : view_(view), satellite_(std::move(satellite)), id_(id) {}
    FleetView* view_;
    std::string satellite_;
    std::uint64_t id_;
  };

  // Every rendered state names `state_registry`: where signed state is published (its
  // keys, for satellites to trust). A change re-renders every state and wakes its watchers.
  void set_state_registry(common::fleet_wire::StateRegistry state_registry);

  // Adds or replaces a group: `artifacts` is every artifact it lists (explicit and
  // Harbor-sourced, in any order, duplicates merged).
  void put_group(const std::string& name, const model::GroupSpec& spec,
                 std::vector<model::Artifact> artifacts);
  void remove_group(std::string_view name);
  // `serials`: the client-certificate serials the satellite may present (its status).
  void put_satellite(const std::string& name, model::Labels labels, std::string config,
                     std::vector<std::string> serials = {});
  void remove_satellite(std::string_view name);
  void put_config(const std::string& name, model::ConfigSummary config);
  void remove_config(std::string_view name);

  // The satellite that may present the certificate with this serial; nullopt for a serial
  // never issued, revoked, superseded and expired, or of a deleted satellite.
  std::optional<std::string> satellite_for_serial(std::string_view serial) const;
  // The satellite's desired state (shared, immutable), or nullptr for an unknown satellite.
  std::shared_ptr<const RenderedState> state_of(std::string_view satellite) const;
  // Fires `wakeup` when the satellite's state digest changes or it is removed, until the
  // Watch ends.
  [[nodiscard]] Watch watch(std::string_view satellite,
                            std::shared_ptr<common::http::Wakeup> wakeup);

  // The name of the config the satellite follows; nullopt for an unknown satellite.
  std::optional<std::string> config_of(std::string_view satellite) const;
  // The heartbeat interval of the satellite's config (the default when either is unknown).
  std::chrono::seconds heartbeat_interval_of(std::string_view satellite) const;
  // The poll interval of the satellite's config (the default when either is unknown).
  std::chrono::seconds poll_interval_of(std::string_view satellite) const;
  std::size_t satellite_count() const;
  // The names the view holds, for a reload to remove what the database no longer has.
  struct Names {
    std::vector<std::string> groups, satellites, configs;
  };
  Names names() const;
  // What the fleet summary and the roll-up need of one satellite, borrowed for one visit.
  struct SatelliteFacts {
    std::string_view name;
    const model::Labels& labels;
    const std::vector<std::string>& groups;  // sorted
    std::string_view state_digest;
    std::size_t artifacts;  // in its desired state
    std::chrono::seconds heartbeat_interval;
  };
  // Calls `visit` for every satellite, in name order, under the view's shared lock:
  // `visit` must not call back into the view.
  void visit_satellites(const std::function<void(const SatelliteFacts&)>& visit) const;
  std::vector<std::string> group_names() const;  // sorted
  // Every artifact group `name` lists (explicit and sourced), as put_group() took them;
  // nullopt for an unknown group.
  std::optional<std::vector<model::Artifact>> artifacts_of(std::string_view group) const;
  // Group `name`'s image signature policy; nullopt for none or an unknown group.
  std::optional<common::fleet_wire::SignaturePolicy> signature_policy_of(
      std::string_view group) const;
  // The names of the configs the view holds (sorted).
  std::vector<std::string> config_names() const;
  common::fleet_wire::StateRegistry state_registry() const;
  // The names of the satellites that are members of `group` (sorted).
  std::vector<std::string> members_of(std::string_view group) const;
  // How many satellites are members of `group` (0 for an unknown group).
  std::size_t member_count(std::string_view group) const;
  // Grows each time a satellite's state digest changes (a satellite added counts too): who
  // read the same count before and after a pass over the states knows none changed since.
  std::uint64_t state_changes() const noexcept {
    return state_changes_.load(std::memory_order_acquire);
  }

 private:
  struct Group {
    model::GroupSpec spec;
    std::vector<model::Artifact> artifacts;
  };
  struct Satellite {
    model::Labels labels;
    std::string config;
    std::vector<std::string> groups;  // sorted
    std::shared_ptr<const RenderedState> state;
    std::vector<std::string> serials;
  };
  using Wakeups = std::vector<std::shared_ptr<common::http::Wakeup>>;

  // Recomputes the satellite's groups (and members_) and state; collects the wakeups to
  // fire when its digest changed. REQUIRES: mutex_ held exclusively.
  void refresh(const std::string& name, Satellite& satellite, Wakeups& fire);
  // Takes `name` out of members_ for each of `groups`. REQUIRES: mutex_ held exclusively.
  void leave_groups(const std::string& name, const std::vector<std::string>& groups);
  std::shared_ptr<const RenderedState> render(const Satellite& satellite);
  void collect_watchers(std::string_view satellite, Wakeups& fire);
  static void fire_all(const Wakeups& fire);
  void unwatch(const std::string& satellite, std::uint64_t id);

  // The key of the rendered state shared by satellites with these groups and config.
  static std::string share_key(const Satellite& satellite);
  // Forgets shared states that `changed` (a group's or config's name) went into.
  void forget_shared(std::string_view changed, bool is_config);

  // Guards groups_, satellites_, members_, configs_, shared_states_, state_registry_.
  mutable std::shared_mutex mutex_;
  common::fleet_wire::StateRegistry state_registry_;
  std::map<std::string, Group, std::less<>> groups_;
  std::map<std::string, Satellite, std::less<>> satellites_;
  // Group → its member satellites: the inverse of every Satellite::groups, kept by
  // refresh() and remove_satellite(), so listing G groups with their members costs O(G)
  // lookups rather than a scan of every satellite per group. No entry for a memberless group.
  std::map<std::string, std::set<std::string>, std::less<>> members_;
  std::map<std::string, model::ConfigSummary, std::less<>> configs_;
  std::unordered_map<std::string, std::string> serials_;  // certificate serial → satellite
  // Rendered states by (groups, config), shared by satellites with equal inputs.
  struct SharedState {
    std::vector<std::string> groups;
    std::string config;
    std::weak_ptr<const RenderedState> state;
  };
  std::map<std::string, SharedState, std::less<>> shared_states_;
  std::atomic<std::uint64_t> state_changes_{0};  // bumped by refresh(), under mutex_

  // Taken after mutex_ when both are needed.
  mutable std::mutex watch_mutex_;  // guards watchers_, next_watch_id_
  std::unordered_map<std::string,
                     std::vector<std::pair<std::uint64_t, std::shared_ptr<common::http::Wakeup>>>>
      watchers_;
  std::uint64_t next_watch_id_ = 1;
};

}  // namespace groundcontrol::service
