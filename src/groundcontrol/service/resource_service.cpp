#include "groundcontrol/service/resource_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/time_format.hpp"
#include "groundcontrol/model/field_selector.hpp"
#include "groundcontrol/model/group.hpp"
#include "groundcontrol/model/json_fields.hpp"
#include "groundcontrol/model/label_selector.hpp"
#include "groundcontrol/model/names.hpp"
#include "groundcontrol/model/registry_endpoint.hpp"
#include "groundcontrol/model/satellite.hpp"
#include "groundcontrol/model/satellite_config.hpp"
#include "groundcontrol/model/sort_order.hpp"
#include "groundcontrol/service/fleet_sync.hpp"
#include "groundcontrol/service/parsed_document.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using common::fail;
using common::sql::Connection;
using model::Kind;
using nlohmann::json;

constexpr std::size_t kMaxLimit = 10'000;
constexpr std::array<std::string_view, 3> kSatelliteFields = {"metadata.name",
                                                              "status.connectivity", "status.sync"};
constexpr std::array<std::string_view, 1> kNameField = {"metadata.name"};
constexpr std::array<std::string_view, 2> kEnrollmentRequestFields = {"metadata.name",
                                                                      "status.phase"};
// What each list sorts by (sortBy).
constexpr std::array<std::string_view, 2> kSortFields = {"metadata.name",
                                                         "metadata.creationTimestamp"};
constexpr std::array<std::string_view, 5> kSatelliteSortFields = {
    "metadata.name", "metadata.creationTimestamp", "status.connectivity", "status.sync",
    "status.heartbeat.time"};
constexpr std::array<std::string_view, 3> kEnrollmentRequestSortFields = {
    "metadata.name", "metadata.creationTimestamp", "status.phase"};

std::string_view kind_name(Kind kind) {
  return model::info(kind).name;
}

// The spec in canonical form (what is stored and compared), validated by the kind's codec.
common::Result<std::string> canonical_spec(Kind kind, const json* spec) {
  switch (kind) {
    case Kind::kGroup: {
      auto parsed = model::parse_group_spec(spec != nullptr ? *spec : json::object());
      if (!parsed) return fail(parsed.error());
      return model::to_json(*parsed).dump();
    }
    case Kind::kSatellite: {
      auto parsed = model::parse_satellite_spec(spec);
      if (!parsed) return fail(parsed.error());
      return model::to_json(*parsed).dump();
    }
    case Kind::kSatelliteConfig: {
      auto parsed = model::parse_satellite_config_spec(spec);
      if (!parsed) return fail(parsed.error());
      return model::to_json(*parsed).dump();  // the password is settled in the transaction
    }
    case Kind::kRegistryEndpoint: {
      auto parsed = model::parse_registry_endpoint_spec(spec);
      if (!parsed) return fail(parsed.error());
      return model::to_json(*parsed).dump();  // the password is settled in the transaction
    }
    case Kind::kEnrollmentRequest:
      return fail(ErrorCode::kUnsupported,
                  "EnrollmentRequests are made by devices (POST /satellite/v1/enrollmentrequests) "
                  "and decided through their approval");
  }
  return fail(ErrorCode::kInternal, "unknown kind");
}

}  // namespace

namespace {

// apiVersion, kind, metadata, spec; status is the server's and ignored when sent back.
common::Result<ParsedDocument> parse_document(Kind kind, const json& body) {
  auto fields = model::JsonFields::open(body, "");
  if (!fields) return fail(fields.error());
  auto api_version = fields->text("apiVersion", std::string(model::kApiVersion));
  if (!api_version) return fail(api_version.error());
  if (*api_version != model::kApiVersion)
    return model::invalid_field("apiVersion", fmt::format("expected {}", model::kApiVersion));
  auto kind_text = fields->text("kind", std::string(kind_name(kind)));
  if (!kind_text) return fail(kind_text.error());
  if (*kind_text != kind_name(kind))
    return model::invalid_field("kind", fmt::format("expected {}", kind_name(kind)));
  const auto* metadata = fields->take("metadata");
  if (metadata == nullptr) return model::invalid_field("metadata", "required");
  auto meta = model::parse_object_meta(*metadata);
  if (!meta) return fail(meta.error());
  const auto* spec_value = fields->take("spec");
  auto spec = canonical_spec(kind, spec_value);
  if (!spec) return fail(spec.error());
  ParsedDocument document{std::move(*meta), std::move(*spec), std::nullopt, std::nullopt};
  if (kind == Kind::kSatelliteConfig)
    document.config = *model::parse_satellite_config_spec(spec_value);
  if (kind == Kind::kRegistryEndpoint)
    document.endpoint = *model::parse_registry_endpoint_spec(spec_value);
  (void)fields->take("status");
  if (auto ok = fields->finish(); !ok) return fail(ok.error());
  return document;
}

// The document a merge patch applies to: what a client may change.
json patchable(const store::Resource& r) {
  json labels = json::object();
  for (const auto& [k, v] : r.meta.labels) labels[k] = v;
  json annotations = json::object();
  for (const auto& [k, v] : r.meta.annotations) annotations[k] = v;
  return {{"metadata", {{"name", r.meta.name}, {"labels", labels}, {"annotations", annotations}}},
          {"spec", json::parse(r.spec)}};
}

// The values of one resource's documented fields, as selectors and sorting read them
// ("metadata.name", "status.heartbeat.time"): its status parsed once, however many fields
// are asked. A missing field, or one that is not a string, reads as "".
class ResourceFields {
 public:
  explicit ResourceFields(const store::Resource& r) : resource_(r) {}
  std::string operator()(std::string_view field) const {
    if (field == "metadata.name") return resource_.meta.name;
    if (field == "metadata.creationTimestamp") return resource_.meta.creation_timestamp;
    if (!field.starts_with("status.")) return {};
    if (!status_) status_ = json::parse(resource_.status, nullptr, false);
    const json* at = &*status_;
    for (field.remove_prefix(7); at->is_object();) {
      const auto dot = field.find('.');
      const auto found = at->find(field.substr(0, dot));
      if (found == at->end()) return {};
      at = &*found;
      if (dot == std::string_view::npos) return at->is_string() ? at->get<std::string>() : "";
      field.remove_prefix(dot + 1);
    }
    return {};
  }

 private:
  const store::Resource& resource_;
  mutable std::optional<json> status_;
};

}  // namespace

std::string ResourceService::now() const {
  return common::format_rfc3339(clock_.now());
}

common::Result<store::Resource> ResourceService::write(
    const std::function<common::Result<store::Resource>(Connection&)>& write, std::string_view verb,
    const Actor& actor) {
  std::optional<store::Resource> written;
  auto done = db_.transact([&](Connection& db) -> common::Status {
    auto resource = write(db);
    if (!resource) return fail(resource.error());
    const auto revision = resource->meta.resource_version;
    if (auto ok = events_.record(db, {revision, now(), actor.name, std::string(verb),
                                      resource->kind, resource->meta.name, ""});
        !ok)
      return ok;
    if (auto ok = db.notify(kChangeChannel, std::to_string(revision)); !ok) return ok;
    written = std::move(*resource);
    return {};
  });
  if (!done) return fail(done.error());
  (void)sync_.catch_up();  // a failure here is retried by the next notification or tick
  return std::move(*written);
}

common::Result<store::Resource> ResourceService::create(Kind kind, const json& body,
                                                        const Actor& actor) {
  auto document = parse_document(kind, body);
  if (!document) return fail(document.error());
  store::Resource resource{std::string(kind_name(kind)), std::move(document->meta),
                           std::move(document->spec), "{}"};
  resource.meta.resource_version = 0;
  const auto uid = make_uid_();
  return write(
      [&](Connection& db) -> common::Result<store::Resource> {
        auto created = resource;
        if (document->has_password_field()) {
          auto spec = settle_credentials(db, created.meta.name, *document, nullptr);
          if (!spec) return fail(spec.error());
          created.spec = std::move(*spec);
        }
        return resources_.create(db, std::move(created), uid, now());
      },
      "create", actor);
}

common::Result<store::Resource> ResourceService::get(Kind kind, std::string_view name) {
  std::optional<store::Resource> found;
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        auto resource = resources_.get(db, kind_name(kind), name);
        if (!resource) return fail(resource.error());
        if (kind == Kind::kSatellite) {
          if (auto ok = decoration_.add_reported_status(db, *resource, now(), StatusDetail::kFull);
              !ok)
            return ok;
        }
        if (kind == Kind::kGroup) decoration_.add_member_count(*resource);
        found = std::move(*resource);
        return {};
      },
      {.read_only = true});
  if (!done) return fail(done.error());
  return std::move(*found);
}

common::Result<store::Resource> ResourceService::replace(Kind kind, std::string_view name,
                                                         const json& body, const Actor& actor) {
  return replace_as(kind, name, body, actor, "replace");
}

common::Result<store::Resource> ResourceService::replace_as(Kind kind, std::string_view name,
                                                            const json& body, const Actor& actor,
                                                            std::string_view verb) {
  auto document = parse_document(kind, body);
  if (!document) return fail(document.error());
  if (document->meta.name != name)
    return model::invalid_field(
        "metadata.name",
        fmt::format("\"{}\" does not match the path's \"{}\"", document->meta.name, name));
  store::Resource resource{std::string(kind_name(kind)), std::move(document->meta),
                           std::move(document->spec), "{}"};
  return write(
      [&](Connection& db) -> common::Result<store::Resource> {
        auto replaced = resource;
        if (document->has_password_field()) {
          auto previous = resources_.get(db, replaced.kind, name);
          if (!previous) return fail(previous.error());
          auto spec = settle_credentials(db, name, *document, &*previous);
          if (!spec) return fail(spec.error());
          replaced.spec = std::move(*spec);
        }
        return resources_.replace(db, std::move(replaced), now());
      },
      verb, actor);
}

common::Result<store::Resource> ResourceService::patch(Kind kind, std::string_view name,
                                                       const json& merge_patch,
                                                       const Actor& actor) {
  if (!merge_patch.is_object()) return model::invalid_field("body", "expected a JSON object");
  auto current = get(kind, name);
  if (!current) return fail(current.error());
  auto document = patchable(*current);
  document.merge_patch(merge_patch);
  // A patch that names a resourceVersion asks for the check; one that does not applies to
  // the version it was computed on, so a concurrent change in between is not overwritten.
  if (!(merge_patch.contains("metadata") && merge_patch["metadata"].is_object() &&
        merge_patch["metadata"].contains("resourceVersion")))
    document["metadata"]["resourceVersion"] = std::to_string(current->meta.resource_version);
  return replace_as(kind, name, document, actor, "patch");
}

common::Result<store::Resource> ResourceService::remove(Kind kind, std::string_view name,
                                                        std::int64_t expected_version,
                                                        const Actor& actor) {
  if (kind == Kind::kSatelliteConfig && name == model::kDefaultConfigName)
    return fail(ErrorCode::kInvalidArgument, "the default SatelliteConfig cannot be deleted");
  return write(
      [&](Connection& db) -> common::Result<store::Resource> {
        if (auto ok = remove_secret(db, kind, name); !ok) return fail(ok.error());
        if (kind == Kind::kSatellite) {
          if (auto ok = statuses_.remove(db, name); !ok) return fail(ok.error());
          if (auto ok = reports_.remove(db, name); !ok) return fail(ok.error());
          if (auto ok = rollups_.remove(db, name); !ok) return fail(ok.error());
          if (auto ok = commands_.remove_for(db, name); !ok) return fail(ok.error());
        }
        if (kind == Kind::kGroup) {
          if (auto ok = credentials_.remove_all_of(db, name); !ok) return fail(ok.error());
          for (const auto* set : {&harbor_, &rule_sets_})
            if (auto ok = set->clear(db, name); !ok) return fail(ok.error());
        }
        if (kind == Kind::kEnrollmentRequest) {
          if (auto ok = enrollment_.remove_pending_request(db, name); !ok) return fail(ok.error());
        }
        return resources_.remove(db, kind_name(kind), name, expected_version, now());
      },
      "delete", actor);
}

common::Result<WatchResult> ResourceService::watch(Kind kind, const WatchQuery& query) {
  if (query.after < 0) return model::invalid_field("resourceVersion", "must be 0 or more");
  auto labels = model::LabelSelector::parse(query.label_selector, "labelSelector");
  if (!labels) return fail(labels.error());
  WatchResult result{{}, query.after};
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        result = {{}, query.after};  // a retried attempt starts over
        auto oldest = resources_.oldest_change(db);
        if (!oldest) return fail(oldest.error());
        if (*oldest && **oldest > query.after + 1)
          return fail(ErrorCode::kGone,
                      fmt::format("resourceVersion {} is older than the oldest change kept ({}); "
                                  "list again and watch from the list's resourceVersion",
                                  query.after, **oldest - 1));
        auto changes = resources_.changes_after(db, query.after,
                                                std::clamp<std::size_t>(query.limit, 1, kMaxLimit));
        if (!changes) return fail(changes.error());
        for (auto& change : *changes) {
          result.revision = change.revision;
          if (change.object.kind != kind_name(kind) || !labels->matches(change.object.meta.labels))
            continue;
          result.changes.push_back(std::move(change));
        }
        return {};
      },
      {.read_only = true});
  if (!done) return fail(done.error());
  return result;
}

common::Result<ListResult> ResourceService::list(Kind kind, const ListQuery& query) {
  if (query.limit == 0 || query.limit > kMaxLimit)
    return model::invalid_field("limit", fmt::format("must be 1 to {}", kMaxLimit));
  auto labels = model::LabelSelector::parse(query.label_selector, "labelSelector");
  if (!labels) return fail(labels.error());
  std::span<const std::string_view> fields = kNameField;
  std::span<const std::string_view> sort_fields = kSortFields;
  if (kind == Kind::kSatellite) fields = kSatelliteFields, sort_fields = kSatelliteSortFields;
  if (kind == Kind::kEnrollmentRequest)
    fields = kEnrollmentRequestFields, sort_fields = kEnrollmentRequestSortFields;
  auto selected = model::FieldSelector::parse(query.field_selector, fields);
  if (!selected) return fail(selected.error());
  auto order = model::SortOrder::parse(query.sort_by, sort_fields);
  if (!order) return fail(order.error());
  // In name order a page resumes after the name its token is; in any other order the store
  // is scanned whole and the token says where in the sorted sequence the page starts.
  std::string start_after;
  std::optional<model::SortedPosition> resume;
  if (!query.continue_token.empty()) {
    if (order->by_name_ascending()) {
      if (auto ok = model::validate_name(query.continue_token, "continue"); !ok)
        return fail(ok.error());
      start_after = query.continue_token;
    } else {
      auto position = model::decode_continue_token(*order, query.continue_token);
      if (!position) return fail(position.error());
      resume = std::move(*position);
    }
  }

  ListResult result;
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        result = {};  // a retried attempt starts over
        if (order->by_name_ascending())
          return scan(db, kind, start_after, query.limit, *labels, *selected, "", result.revision,
                      [&](store::Resource&& item, std::string) {
                        if (result.items.size() == query.limit) {
                          result.continue_token = result.items.back().meta.name;
                          return false;
                        }
                        result.items.push_back(std::move(item));
                        return true;
                      });
        // The first `limit` + 1 items of the order after `resume`, as a heap whose top is the
        // last of them: one more than a page shows whether another page follows.
        struct Keyed {
          std::string key;
          store::Resource item;
        };
        std::vector<Keyed> best;
        const auto earlier = [&](const Keyed& a, const Keyed& b) {
          return order->before(a.key, a.item.meta.name, b.key, b.item.meta.name);
        };
        auto scanned =
            scan(db, kind, "", query.limit, *labels, *selected, order->field(), result.revision,
                 [&](store::Resource&& item, std::string key) {
                   if (resume && !order->before(resume->key, resume->name, key, item.meta.name))
                     return true;
                   best.push_back({std::move(key), std::move(item)});
                   std::push_heap(best.begin(), best.end(), earlier);
                   if (best.size() > query.limit + 1) {
                     std::pop_heap(best.begin(), best.end(), earlier);
                     best.pop_back();
                   }
                   return true;
                 });
        if (!scanned) return scanned;
        std::sort_heap(best.begin(), best.end(), earlier);
        if (best.size() > query.limit) {
          best.pop_back();
          result.continue_token =
              model::encode_continue_token(*order, {best.back().key, best.back().item.meta.name});
        }
        for (auto& kept : best) result.items.push_back(std::move(kept.item));
        return {};
      },
      {.read_only = true});
  if (!done) return fail(done.error());
  return result;
}

common::Status ResourceService::scan(Connection& db, Kind kind, std::string after,
                                     std::size_t limit, const model::LabelSelector& labels,
                                     const model::FieldSelector& selected,
                                     std::string_view sort_field, std::int64_t& revision,
                                     const ScanVisitor& take) const {
  const auto current_time = now();
  const auto page_size = std::max<std::size_t>(limit, 200);
  for (bool first = true;; first = false) {
    auto page = resources_.list(db, kind_name(kind), after, page_size);
    if (!page) return fail(page.error());
    if (first) revision = page->revision;
    for (auto& item : page->items) {
      after = item.meta.name;
      if (!labels.matches(item.meta.labels)) continue;
      // Only what the labels let through costs its status read.
      if (kind == Kind::kSatellite) {
        if (auto ok =
                decoration_.add_reported_status(db, item, current_time, StatusDetail::kSummary);
            !ok)
          return ok;
      }
      if (kind == Kind::kGroup) decoration_.add_member_count(item);
      const ResourceFields values(item);
      if (!selected.matches(values)) continue;
      auto key = sort_field.empty() ? std::string() : values(sort_field);
      if (!take(std::move(item), std::move(key))) return {};
    }
    if (page->next_after.empty()) return {};
  }
}

common::Result<IngestResult> ResourceService::ingest_harbor_state(
    std::string_view group, const model::HarborStateFile& file, bool full, const Actor& actor) {
  IngestResult result;
  auto done = write(
      [&](Connection& db) -> common::Result<store::Resource> {
        result = {};  // a retried attempt starts over
        auto exists = resources_.get(db, kind_name(Kind::kGroup), group);
        if (!exists) return fail(exists.error());
        if (full) {
          auto cleared = harbor_.clear(db, group);
          if (!cleared) return fail(cleared.error());
        }
        for (const auto& entry : file.entries) {
          if (entry.deleted) {
            auto removed =
                harbor_.remove(db, group, entry.artifact.repository, entry.artifact.digest.str());
            if (!removed) return fail(removed.error());
            result.removed += *removed ? 1 : 0;
          } else {
            if (auto ok = harbor_.upsert(db, group, entry.artifact); !ok) return fail(ok.error());
            ++result.upserted;
          }
        }
        return resources_.touch(db, kind_name(Kind::kGroup), group, now());
      },
      "ingest", actor);
  if (!done) return fail(done.error());
  result.revision = done->meta.resource_version;
  return result;
}

common::Result<std::vector<model::Artifact>> ResourceService::harbor_artifacts(
    std::string_view group) {
  std::vector<model::Artifact> out;
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        auto set = harbor_.list(db, group);
        if (!set) return fail(set.error());
        out = std::move(*set);
        return {};
      },
      {.read_only = true});
  if (!done) return fail(done.error());
  return out;
}

common::Result<std::vector<store::Event>> ResourceService::events(
    const store::EventFilter& filter) {
  std::vector<store::Event> out;
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        auto found = events_.list(db, filter);
        if (!found) return fail(found.error());
        out = std::move(*found);
        return {};
      },
      {.read_only = true});
  if (!done) return fail(done.error());
  return out;
}

common::Result<store::Resource> ResourceService::merge_status(Kind kind, std::string_view name,
                                                              const json& fields) {
  if (!fields.is_object()) return fail(ErrorCode::kInvalidArgument, "status fields: an object");
  std::optional<store::Resource> updated;
  auto done = db_.transact([&](Connection& db) -> common::Status {
    auto current = resources_.get(db, kind_name(kind), name);
    if (!current) return fail(current.error());
    auto status = json::parse(current->status, nullptr, false);
    if (!status.is_object()) status = json::object();
    for (const auto& [key, value] : fields.items()) status[key] = value;
    auto written = resources_.update_status(db, std::move(*current), status.dump(), now());
    if (!written) return fail(written.error());
    updated = std::move(*written);
    return db.notify(kChangeChannel, std::to_string(updated->meta.resource_version));
  });
  if (!done) return fail(done.error());
  (void)sync_.catch_up();
  return std::move(*updated);
}

common::Status ResourceService::ensure_default_config() {
  auto existing = get(Kind::kSatelliteConfig, model::kDefaultConfigName);
  if (existing) return {};
  if (existing.error().code() != ErrorCode::kNotFound) return fail(existing.error());
  auto created =
      create(Kind::kSatelliteConfig,
             json{{"metadata", {{"name", model::kDefaultConfigName}}}, {"spec", json::object()}},
             Actor{"system"});
  if (!created && created.error().code() != ErrorCode::kAlreadyExists) return fail(created.error());
  return {};
}

}  // namespace groundcontrol::service
