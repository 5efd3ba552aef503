#include "groundcontrol/service/state_publication_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/fleet_wire/satellite_config.hpp"
#include "common/fleet_wire/state_artifact.hpp"
#include "common/fleet_wire/state_signature.hpp"
#include "common/time_format.hpp"
#include "groundcontrol/registry/state_publisher.hpp"

namespace groundcontrol::service {
namespace {

using common::fail;
namespace wire = common::fleet_wire;

wire::GroupState group_state(const std::string& group,
                             const std::vector<model::Artifact>& artifacts,
                             std::optional<wire::SignaturePolicy> policy) {
  wire::GroupState state{group, 0, {}, std::move(policy)};
  for (const auto& a : artifacts)
    state.artifacts.push_back({a.repository, a.digest, a.tags, a.type});
  std::sort(state.artifacts.begin(), state.artifacts.end(), [](const auto& x, const auto& y) {
    return std::tie(x.repository, x.digest) < std::tie(y.repository, y.digest);
  });
  return state;
}

// The config as satellites get it over mTLS, without its credentials.
common::Result<wire::SatelliteConfig> config_without_credentials(
    const SatelliteConfigDocument& document) {
  const nlohmann::json wire_document = {{"apiVersion", wire::kSatelliteApiVersion},
                                        {"kind", "SatelliteConfig"},
                                        {"name", document.name},
                                        {"digest", document.digest},
                                        {"spec", document.spec}};
  auto config = wire::parse_satellite_config(wire_document.dump());
  if (!config) return fail(config.error());
  config->upstream_username.clear();
  config->upstream_password.clear();
  return config;
}

}  // namespace

common::Result<std::vector<StatePublicationService::Pending>> StatePublicationService::collect()
    const {
  const auto& project = options_.project;
  std::vector<Pending> out;
  for (const auto& group : view_.group_names()) {
    auto artifacts = view_.artifacts_of(group);
    if (!artifacts) continue;  // removed meanwhile
    auto state = group_state(group, *artifacts, view_.signature_policy_of(group));
    out.push_back({wire::group_state_repository(project, group), [state](std::uint64_t v) mutable {
                     state.version = v;
                     return wire::render_state(state);
                   }});
  }
  for (const auto& satellite : view_.names().satellites) {
    const auto rendered = view_.state_of(satellite);
    if (!rendered) continue;
    wire::SatelliteStateRef ref{satellite, 0, {}, {}, {}, {}};
    for (const auto& group : rendered->groups)
      ref.groups.push_back({group, wire::group_state_repository(project, group)});
    if (!rendered->config_name.empty()) {
      ref.config_name = rendered->config_name;
      ref.config_repository = wire::config_state_repository(project, rendered->config_name);
      ref.config_digest = rendered->config_digest;
    }
    out.push_back(
        {wire::satellite_state_repository(project, satellite), [ref](std::uint64_t v) mutable {
           ref.version = v;
           return wire::render_state(ref);
         }});
  }
  for (const auto& name : view_.config_names()) {
    auto document = resources_.satellite_config(name);
    if (!document && document.error().code() == common::ErrorCode::kNotFound) continue;
    if (!document) return fail(document.error());
    auto config = config_without_credentials(*document);
    if (!config) return fail(config.error());
    wire::ConfigState state{0, std::move(*config)};
    out.push_back({wire::config_state_repository(project, name), [state](std::uint64_t v) mutable {
                     state.version = v;
                     return wire::render_state(state);
                   }});
  }
  return out;
}

common::Result<std::string> StatePublicationService::registry_url() {
  auto endpoint = resources_.registry_endpoint(options_.endpoint);
  if (!endpoint)
    return fail(endpoint.error().code(), fmt::format("state endpoint \"{}\": {}", options_.endpoint,
                                                     endpoint.error().message()));
  return options_.registry_url.empty() ? endpoint->spec.url : options_.registry_url;
}

common::Status StatePublicationService::refresh_view() {
  auto url = registry_url();
  if (!url) return fail(url.error());
  view_.set_state_registry({*url, options_.project, options_.trusted_keys});
  return {};
}

common::Result<PublicationRound> StatePublicationService::publish_changed() {
  auto url_found = registry_url();
  if (!url_found) return fail(url_found.error());
  const auto url = *url_found;
  view_.set_state_registry({url, options_.project, options_.trusted_keys});

  auto pending = collect();
  if (!pending) return fail(pending.error());
  std::map<std::string, store::StatePublication> last;
  auto read = db_.transact(
      [&](common::sql::Connection& db) -> common::Status {
        auto listed = store_.list(db);
        if (!listed) return fail(listed.error());
        for (auto& p : *listed) last.emplace(p.repository, std::move(p));
        return {};
      },
      {.read_only = true});
  if (!read) return fail(read.error());

  PublicationRound round;
  std::unique_ptr<registry::RegistryAdapter> adapter;
  std::optional<registry::StatePublisher> publisher;
  // Made only when something changed: an unchanged fleet asks the registry nothing.
  const auto ensure_publisher = [&]() -> common::Status {
    if (publisher) return {};
    auto made = endpoints_.adapter(options_.endpoint);
    if (!made) return fail(made.error());
    adapter = std::move(*made);
    auto created = registry::StatePublisher::create(
        adapter->oci(), key_,
        {options_.keep_versions, wire::registry_host(url).value_or(std::string())});
    if (!created) return fail(created.error());
    publisher.emplace(std::move(*created));
    return {};
  };
  std::set<std::string> current;
  for (const auto& state : *pending) {
    current.insert(state.repository);
    const auto previous = last.find(state.repository);
    std::uint64_t version = 1;
    if (previous != last.end()) {
      if (previous->second.retired_at.empty() &&
          state.render(previous->second.version).document_digest.str() ==
              previous->second.document_digest) {
        ++round.unchanged;
        continue;
      }
      version = previous->second.version + 1;  // also after a retirement: versions only grow
    }
    if (auto ready = ensure_publisher(); !ready) return fail(ready.error());
    auto rendered = state.render(version);
    auto published = publisher->publish(state.repository, rendered);
    if (!published && published.error().code() == common::ErrorCode::kConflict) {
      // The registry holds this version already with other content, or a newer one (a
      // round whose record was lost, another replica): continue after its newest.
      if (auto tags = adapter->oci().list_tags(state.repository)) {
        std::uint64_t newest = 0;
        for (const auto& tag : *tags)
          newest = std::max(newest, registry::version_of_tag(tag).value_or(0));
        if (newest >= version) {
          version = newest + 1;
          rendered = state.render(version);
          published = publisher->publish(state.repository, rendered);
        }
      }
    }
    if (!published) {
      round.errors.push_back(fmt::format("{}: {}", state.repository, published.error().message()));
      continue;
    }
    const store::StatePublication record{state.repository, version, rendered.document_digest.str(),
                                         published->manifest_digest.str(),
                                         common::format_rfc3339(clock_.now())};
    auto recorded = db_.transact([&](common::sql::Connection& db) -> common::Status {
      auto done = store_.record(db, record);
      if (!done) return fail(done.error());
      if (!*done)
        return fail(common::ErrorCode::kConflict,
                    fmt::format("version {} published, but a newer one is recorded (another "
                                "replica)",
                                version));
      return {};
    });
    if (!recorded) {
      round.errors.push_back(fmt::format("{}: {}", state.repository, recorded.error().message()));
      continue;
    }
    ++round.published;
  }
  // States that left the fleet, once those that named them (a satellite's groups) are out.
  for (const auto& [repository, publication] : last) {
    if (!publication.retired_at.empty() || current.contains(repository)) continue;
    if (auto ready = ensure_publisher(); !ready) return fail(ready.error());
    auto retired = publisher->retire(repository);
    if (!retired && retired.error().code() == common::ErrorCode::kUnsupported) {
      // Retried every round it would fail the same way: recorded as retired, said once.
      round.warnings.push_back(
          fmt::format("{}: left in the registry, which allows no deletes (distribution: set "
                      "storage.delete.enabled): {}",
                      repository, retired.error().message()));
    } else if (!retired) {
      round.errors.push_back(fmt::format("{}: {}", repository, retired.error().message()));
      continue;
    }
    auto recorded = db_.transact([&](common::sql::Connection& db) -> common::Status {
      auto done =
          store_.retire(db, repository, publication.version, common::format_rfc3339(clock_.now()));
      if (!done) return fail(done.error());
      return {};  // false: another replica published it again or retired it; either is fine
    });
    if (!recorded) {
      round.errors.push_back(fmt::format("{}: {}", repository, recorded.error().message()));
      continue;
    }
    ++round.retired;
  }
  if (publisher) {
    (void)endpoints_.record_use(
        options_.endpoint,
        round.errors.empty()
            ? common::Status{}
            : common::Status(fail(common::ErrorCode::kUnavailable, round.errors.front())));
  }
  return round;
}

}  // namespace groundcontrol::service
