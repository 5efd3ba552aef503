// ResourceService: the management API's verbs on Satellites, Groups and SatelliteConfigs:
// create, get, list (label and field selectors, pages), replace, JSON merge patch, delete;
// and get, list and delete on EnrollmentRequests (which devices create and admins decide
// through EnrollmentRequestService). Deleting a group deletes its Harbor credentials, its
// Harbor set and its rule set.
// Each write validates the whole document through the model's codecs, then commits the
// change, its audit event and a change announcement in one transaction, then brings this
// replica's FleetView up to it (so the next state poll here sees it). Documents arrive as
// parsed JSON and leave as store::Resource; nothing here knows HTTP.
// Thread-safety: every call from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include "common/clock.hpp"
#include "common/crypto/secret_box.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/model/field_selector.hpp"
#include "groundcontrol/model/harbor_state_file.hpp"
#include "groundcontrol/model/kind.hpp"
#include "groundcontrol/model/label_selector.hpp"
#include "groundcontrol/model/registry_endpoint.hpp"
#include "groundcontrol/model/satellite_config.hpp"
#include "groundcontrol/service/fleet_sync.hpp"
#include "groundcontrol/service/resource_status_decoration.hpp"
#include "groundcontrol/store/artifact_set_store.hpp"
#include "groundcontrol/store/command_store.hpp"
#include "groundcontrol/store/enrollment_store.hpp"
#include "groundcontrol/store/event_store.hpp"
#include "groundcontrol/store/group_credential_store.hpp"
#include "groundcontrol/store/resource_store.hpp"
#include "groundcontrol/store/rollup_store.hpp"
#include "groundcontrol/store/satellite_report_store.hpp"
#include "groundcontrol/store/satellite_status_store.hpp"
#include "groundcontrol/store/secret_store.hpp"

namespace groundcontrol::service {

// Who makes a change, as the audit trail names them: "user:admin", "harbor:edge".
struct Actor {
  std::string name;
};

struct ListQuery {
  std::string label_selector;
  std::string field_selector;
  std::size_t limit = 500;     // 1..10000
  std::string continue_token;  // from the previous page
  std::string sort_by;         // "" (by name), or a documented field, '-' for descending
};

struct ListResult {
  std::vector<store::Resource> items;
  std::int64_t revision = 0;
  std::string continue_token;  // empty on the last page
};

struct WatchQuery {
  std::int64_t after = 0;  // the resourceVersion to follow from (a list's, or the last event's)
  std::string label_selector;
  std::size_t limit = 500;  // changes scanned per call
};

struct WatchResult {
  std::vector<store::Change> changes;  // of the kind, matching the selector, oldest first
  std::int64_t revision = 0;           // resume after this (the last change scanned)
};

struct IngestResult {
  std::size_t upserted = 0;
  std::size_t removed = 0;
  std::int64_t revision = 0;
};

// What a satellite receives as its config: the spec with the upstream password opened (only
// ever sent over its mTLS channel), and the digest its state names.
struct SatelliteConfigDocument {
  std::string name;
  std::string digest;
  nlohmann::json spec;
};

// A RegistryEndpoint as its adapter is built from: the spec with its password opened.
struct RegistryEndpointDocument {
  std::string name;
  model::RegistryEndpointSpec spec;
};

struct ParsedDocument;

// Makes a resource's uid (random; injected so tests and the app choose the source).
using UidSource = std::function<std::string()>;

class ResourceService {
 public:
  // `box` seals SatelliteConfigs' upstream passwords (none: they are refused).
  ResourceService(common::sql::Database& db, const common::Clock& clock, FleetSync& sync,
                  UidSource make_uid, const common::crypto::SecretBox* box = nullptr)
      : db_(db), clock_(clock), sync_(sync), make_uid_(std::move(make_uid)), box_(box) {}

  // kInvalidArgument naming the field for a bad document (unknown fields included),
  // kAlreadyExists, or the database's error.
  [[nodiscard]] common::Result<store::Resource> create(model::Kind kind,
                                                       const nlohmann::json& document,
                                                       const Actor& actor);
  // kNotFound.
  [[nodiscard]] common::Result<store::Resource> get(model::Kind kind, std::string_view name);
  // kInvalidArgument (also for a body naming another resource), kNotFound, kConflict for a
  // stale metadata.resourceVersion.
  [[nodiscard]] common::Result<store::Resource> replace(model::Kind kind, std::string_view name,
                                                        const nlohmann::json& document,
                                                        const Actor& actor);
  // RFC 7386 merge patch of the document's metadata (labels, annotations) and spec, then
  // as replace().
  [[nodiscard]] common::Result<store::Resource> patch(model::Kind kind, std::string_view name,
                                                      const nlohmann::json& merge_patch,
                                                      const Actor& actor);
  // kNotFound; kConflict when expected_version is set and stale; kInvalidArgument for the
  // default config, which always exists.
  [[nodiscard]] common::Result<store::Resource> remove(model::Kind kind, std::string_view name,
                                                       std::int64_t expected_version,
                                                       const Actor& actor);
  // kInvalidArgument for a bad selector, limit or continue token.
  [[nodiscard]] common::Result<ListResult> list(model::Kind kind, const ListQuery& query);

  // The changes to `kind` after query.after: a watch's next events (nothing yet: none,
  // with revision = after). kGone when the change log no longer reaches back to it (pruned;
  // the caller lists again), kInvalidArgument for a bad selector.
  [[nodiscard]] common::Result<WatchResult> watch(model::Kind kind, const WatchQuery& query);
  // Fires `wakeup` when this replica next applies a change (a watch waits on it).
  void notify_on_change(std::shared_ptr<common::http::Wakeup> wakeup) {
    sync_.notify_on_advance(std::move(wakeup));
  }

  // Applies Harbor's state file to `group`'s Harbor set in one transaction: upserts every
  // entry, removes those marked deleted; with `full`, first drops what the file does not
  // list. kNotFound for an unknown group.
  [[nodiscard]] common::Result<IngestResult> ingest_harbor_state(std::string_view group,
                                                                 const model::HarborStateFile& file,
                                                                 bool full, const Actor& actor);
  // The group's Harbor set.
  [[nodiscard]] common::Result<std::vector<model::Artifact>> harbor_artifacts(
      std::string_view group);

  // The audit trail.
  [[nodiscard]] common::Result<std::vector<store::Event>> events(const store::EventFilter& filter);

  // The config `config` with its password opened, for a satellite that follows it.
  // kNotFound; kPermissionDenied/kCorruption when the sealed password does not open.
  [[nodiscard]] common::Result<SatelliteConfigDocument> satellite_config(std::string_view config);

  // The endpoint `name` with its password opened, for building its adapter (never for a
  // response). kNotFound; kPermissionDenied/kCorruption when the sealed password does not
  // open.
  [[nodiscard]] common::Result<RegistryEndpointDocument> registry_endpoint(std::string_view name);

  // Sets the top-level members of `fields` in the status of resource `name` (the server's
  // observations: a connection test, a rule evaluation), as a new revision that watches
  // see; no audit event (nobody changed the resource). kNotFound.
  [[nodiscard]] common::Result<store::Resource> merge_status(model::Kind kind,
                                                             std::string_view name,
                                                             const nlohmann::json& fields);

  // Creates the default SatelliteConfig when absent (first start).
  [[nodiscard]] common::Status ensure_default_config();

 private:
  // Runs `write` and records `verb` on the resource it returns, in one transaction, then
  // catches the view up.
  common::Result<store::Resource> write(
      const std::function<common::Result<store::Resource>(common::sql::Connection&)>& write,
      std::string_view verb, const Actor& actor);
  // replace() recorded as `verb` (a patch is one).
  common::Result<store::Resource> replace_as(model::Kind kind, std::string_view name,
                                             const nlohmann::json& document, const Actor& actor,
                                             std::string_view verb);
  // The fields of a spec's write-only password.
  struct WriteOnlyPassword {
    std::optional<std::string>& password;  // as the request gave it; reset here
    bool& password_set;
    std::int64_t& generation;
  };
  // Seals `field.password` under `key` in `secrets` (set, replaced, or removed by ""), or
  // keeps what is stored when the request gave none; sets passwordSet and the generation.
  common::Status settle_password(common::sql::Connection& db, const std::string& key,
                                 WriteOnlyPassword field, std::int64_t previous_generation) const;
  // A SatelliteConfig's or RegistryEndpoint's spec as stored: its password settled as
  // above, passwordSet and credentialsGeneration kept by the server.
  common::Result<std::string> settle_credentials(common::sql::Connection& db, std::string_view name,
                                                 ParsedDocument& document,
                                                 const store::Resource* previous) const;
  // Removes the sealed password of a resource of `kind` (none for kinds without one).
  common::Status remove_secret(common::sql::Connection& db, model::Kind kind,
                               std::string_view name) const;
  // A resource with its password opened (nullopt when none is stored). kNotFound;
  // kPermissionDenied/kCorruption when the sealed password does not open.
  struct WithSecret {
    store::Resource resource;
    std::optional<std::string> password;
  };
  common::Result<WithSecret> read_with_secret(model::Kind kind, std::string_view name);
  // Takes an item and the value of the sort field; false stops the scan.
  using ScanVisitor = std::function<bool(store::Resource&& item, std::string sort_key)>;
  // Reads the resources of `kind` named after `after`, in name order, in pages sized for
  // `limit`; gives `take` each that `labels` and `selected` let through (satellites with
  // their reported status), with its `sort_field` value ("" for none). Sets `revision` to
  // the store's as of the first page.
  common::Status scan(common::sql::Connection& db, model::Kind kind, std::string after,
                      std::size_t limit, const model::LabelSelector& labels,
                      const model::FieldSelector& selected, std::string_view sort_field,
                      std::int64_t& revision, const ScanVisitor& take) const;
  std::string now() const;

  common::sql::Database& db_;
  const common::Clock& clock_;
  FleetSync& sync_;
  UidSource make_uid_;
  const common::crypto::SecretBox* box_;
  store::ResourceStore resources_;
  store::SecretStore secrets_;
  store::SatelliteStatusStore statuses_;
  store::SatelliteReportStore reports_;
  store::CommandStore commands_;
  StatusDecoration decoration_{sync_.view(), clock_};  // what reads add to a status
  store::RollupStore rollups_;
  store::ArtifactSetStore harbor_{store::ArtifactSource::kHarbor};
  store::ArtifactSetStore rule_sets_{store::ArtifactSource::kRules};
  store::EventStore events_;
  store::GroupCredentialStore credentials_;
  store::EnrollmentStore enrollment_;
};

}  // namespace groundcontrol::service
