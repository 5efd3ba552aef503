// StatePublicationService: keeps the signed state artifacts in the central registry in step
// with the fleet (docs/state-artifacts.md), so that satellites keep receiving their state
// while ground control is down. Each round (the periodic job "state-publish", one replica
// at a time) renders every group's state (its artifacts), every satellite's (its groups and
// config, by repository) and every config's (without credentials) from the FleetView, and
// publishes through registry::StatePublisher only those whose document differs from the
// one last published there (store::StatePublicationStore), each under the next version. An
// unchanged fleet costs no request. A state that left the fleet (its group, satellite or
// config deleted) is retired after the round's publications: its manifests are deleted from
// the registry, and its record kept so that a state made again there continues the versions. One
// repository that fails does not stop the others: the round names it, the endpoint's status shows
// the error, and the next round retries. It also tells the FleetView where state is published and
// with which keys, so that every satellite's state names them (the satellite learns them over
// mTLS). Blocking (database and registry): call from the job runner or the blocking pool.
// Thread-safety: one publish_changed() at a time.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto/cosign_key.hpp"
#include "common/fleet_wire/state_manifest.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/service/fleet_view.hpp"
#include "groundcontrol/service/registry_endpoint_service.hpp"
#include "groundcontrol/service/resource_service.hpp"
#include "groundcontrol/store/state_publication_store.hpp"

namespace groundcontrol::service {

struct StatePublicationOptions {
  std::string endpoint;  // the RegistryEndpoint state is pushed into
  std::string project = "satellite";
  std::string registry_url;               // what satellites read from; empty: the endpoint's URL
  std::vector<std::string> trusted_keys;  // PEM: the signing key's public half first, then
                                          // keys being rotated out
  std::size_t keep_versions = 10;
};

struct PublicationRound {
  std::size_t published = 0;
  std::size_t unchanged = 0;
  std::size_t retired = 0;            // states that left the fleet, deleted from the registry
  std::vector<std::string> errors;    // "REPOSITORY: why", one per repository that failed
  std::vector<std::string> warnings;  // "REPOSITORY: why": retired, but left in the registry
};

class StatePublicationService {
 public:
  // Borrows everything, which must outlive it.
  StatePublicationService(common::sql::Database& db, const common::Clock& clock, FleetView& view,
                          ResourceService& resources, RegistryEndpointService& endpoints,
                          const common::crypto::CosignKey& key, StatePublicationOptions options)
      : db_(db),
        clock_(clock),
        view_(view),
        resources_(resources),
        endpoints_(endpoints),
        key_(key),
        options_(std::move(options)) {}

  // One round (header). An error only when nothing could be tried (the endpoint unknown or
  // its adapter not made, the database down); per-repository failures are in the round.
  [[nodiscard]] common::Result<PublicationRound> publish_changed();
  // Tells this replica's FleetView where state is published (the endpoint's URL, or the
  // configured one) and the keys, so that every replica serves the same states: called on
  // every replica, publisher or not. kNotFound while the endpoint does not exist.
  [[nodiscard]] common::Status refresh_view();

 private:
  struct Pending {
    std::string repository;
    // Renders the document at a version.
    std::function<common::fleet_wire::RenderedState(std::uint64_t)> render;
  };
  // The URL satellites read state from: the configured one, else the endpoint's.
  [[nodiscard]] common::Result<std::string> registry_url();
  // Every state the fleet has now.
  [[nodiscard]] common::Result<std::vector<Pending>> collect() const;

  common::sql::Database& db_;
  const common::Clock& clock_;
  FleetView& view_;
  ResourceService& resources_;
  RegistryEndpointService& endpoints_;
  const common::crypto::CosignKey& key_;
  StatePublicationOptions options_;
  store::StatePublicationStore store_;
};

}  // namespace groundcontrol::service
