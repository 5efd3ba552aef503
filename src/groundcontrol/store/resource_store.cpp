#include "groundcontrol/store/resource_store.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/sql/json_rows.hpp"

namespace groundcontrol::store {
namespace {

using common::ErrorCode;
using common::fail;
using common::sql::Connection;
using common::sql::Row;
using nlohmann::json;

constexpr std::string_view kColumns =
    "kind, name, uid, resource_version, generation, created_at, labels, annotations, spec, "
    "status";

std::string map_json(const std::map<std::string, std::string, std::less<>>& values) {
  json out = json::object();
  for (const auto& [key, value] : values) out[key] = value;
  return out.dump();
}

std::map<std::string, std::string, std::less<>> map_from(const std::string& text) {
  std::map<std::string, std::string, std::less<>> out;
  const auto parsed = json::parse(text, nullptr, false);
  if (parsed.is_object())
    for (const auto& [key, value] : parsed.items())
      if (value.is_string()) out.emplace(key, value.get<std::string>());
  return out;
}

// A row of kColumns.
Resource from_row(const Row& row) {
  Resource r;
  r.kind = row.text(0);
  r.meta.name = row.text(1);
  r.meta.uid = row.text(2);
  r.meta.resource_version = row.int64(3);
  r.meta.generation = row.int64(4);
  r.meta.creation_timestamp = row.text(5);
  for (auto& [key, value] : map_from(row.text(6))) r.meta.labels.emplace(key, value);
  r.meta.annotations = map_from(row.text(7));
  r.spec = row.text(8);
  r.status = row.text(9);
  return r;
}

// The object a change records: the resource's columns as one JSON document.
std::string encode_object(const Resource& r) {
  return json{{"kind", r.kind},
              {"name", r.meta.name},
              {"uid", r.meta.uid},
              {"resourceVersion", r.meta.resource_version},
              {"generation", r.meta.generation},
              {"createdAt", r.meta.creation_timestamp},
              {"labels", json::parse(map_json({r.meta.labels.begin(), r.meta.labels.end()}))},
              {"annotations", json::parse(map_json(r.meta.annotations))},
              {"spec", r.spec},
              {"status", r.status}}
      .dump();
}

common::Result<Resource> decode_object(const std::string& text) {
  const auto doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return fail(ErrorCode::kCorruption, "a change's object is not JSON");
  Resource r;
  try {
    r.kind = doc.at("kind").get<std::string>();
    r.meta.name = doc.at("name").get<std::string>();
    r.meta.uid = doc.at("uid").get<std::string>();
    r.meta.resource_version = doc.at("resourceVersion").get<std::int64_t>();
    r.meta.generation = doc.at("generation").get<std::int64_t>();
    r.meta.creation_timestamp = doc.at("createdAt").get<std::string>();
    for (const auto& [key, value] : doc.at("labels").items())
      r.meta.labels.emplace(key, value.get<std::string>());
    for (const auto& [key, value] : doc.at("annotations").items())
      r.meta.annotations.emplace(key, value.get<std::string>());
    r.spec = doc.at("spec").get<std::string>();
    r.status = doc.at("status").get<std::string>();
  } catch (const json::exception& e) {
    return fail(ErrorCode::kCorruption, "a change's object lacks a field", e.what());
  }
  return r;
}

std::string_view type_name(ChangeType type) {
  switch (type) {
    case ChangeType::kAdded:
      return "ADDED";
    case ChangeType::kModified:
      return "MODIFIED";
    case ChangeType::kDeleted:
      return "DELETED";
  }
  return "MODIFIED";
}

ChangeType type_of(std::string_view name) {
  if (name == "ADDED") return ChangeType::kAdded;
  if (name == "DELETED") return ChangeType::kDeleted;
  return ChangeType::kModified;
}

// Takes the next revision and records `object` (whose resource_version is set to it) as
// changed.
common::Result<std::int64_t> record_change(Connection& db, Resource& object, ChangeType type,
                                           std::string_view now) {
  auto next = db.query_one("UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value");
  if (!next) return fail(next.error());
  if (!*next) return fail(ErrorCode::kCorruption, "the revision row is missing");
  const auto revision = (*next)->int64(0);
  object.meta.resource_version = revision;
  auto inserted = db.exec(
      "INSERT INTO changes (revision, kind, name, type, at, object) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      {revision, object.kind, object.meta.name, type_name(type), now, encode_object(object)});
  if (!inserted) return fail(inserted.error());
  return revision;
}

std::unexpected<common::Error> not_found(std::string_view kind, std::string_view name) {
  return fail(ErrorCode::kNotFound, fmt::format("{} \"{}\" not found", kind, name));
}

std::unexpected<common::Error> stale(std::string_view kind, std::string_view name,
                                     std::int64_t given, std::int64_t stored) {
  return fail(ErrorCode::kConflict,
              fmt::format("{} \"{}\" was changed: resourceVersion {} is not the current {}; "
                          "read it again and retry",
                          kind, name, given, stored));
}

}  // namespace

std::string_view change_type_name(ChangeType type) noexcept {
  return type_name(type);
}

common::Result<Resource> ResourceStore::create(Connection& db, Resource resource,
                                               std::string_view uid, std::string_view now) const {
  resource.meta.uid = std::string(uid);
  resource.meta.generation = 1;
  resource.meta.creation_timestamp = std::string(now);
  auto revision = record_change(db, resource, ChangeType::kAdded, now);
  if (!revision) return fail(revision.error());
  auto inserted = db.exec(
      fmt::format("INSERT INTO resources ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                  kColumns),
      {resource.kind, resource.meta.name, resource.meta.uid, *revision, resource.meta.generation,
       resource.meta.creation_timestamp,
       map_json({resource.meta.labels.begin(), resource.meta.labels.end()}),
       map_json(resource.meta.annotations), resource.spec, resource.status});
  if (!inserted) {
    if (inserted.error().code() == ErrorCode::kAlreadyExists)
      return fail(ErrorCode::kAlreadyExists,
                  fmt::format("{} \"{}\" already exists", resource.kind, resource.meta.name));
    return fail(inserted.error());
  }
  return resource;
}

common::Result<Resource> ResourceStore::get(Connection& db, std::string_view kind,
                                            std::string_view name) const {
  auto row =
      db.query_one(fmt::format("SELECT {} FROM resources WHERE kind = $1 AND name = $2", kColumns),
                   {kind, name});
  if (!row) return fail(row.error());
  if (!*row) return not_found(kind, name);
  return from_row(**row);
}

common::Result<std::set<std::string, std::less<>>> ResourceStore::existing(
    Connection& db, std::string_view kind, std::span<const std::string> names) const {
  std::set<std::string, std::less<>> out;
  if (names.empty()) return out;
  common::sql::JsonRows rows({"r_name"});
  for (const auto& name : names) rows.add({name});
  auto found =
      db.query("SELECT name FROM resources WHERE kind = $2 AND name IN (SELECT r_name FROM " +
                   rows.table(db.dialect(), 1) + ")",
               {rows.param(), kind});
  if (!found) return fail(found.error());
  for (const auto& row : *found) out.insert(row.text(0));
  return out;
}

common::Result<Resource> ResourceStore::replace(Connection& db, Resource resource,
                                                std::string_view now) const {
  auto stored = get(db, resource.kind, resource.meta.name);
  if (!stored) return fail(stored.error());
  if (resource.meta.resource_version != 0 &&
      resource.meta.resource_version != stored->meta.resource_version)
    return stale(resource.kind, resource.meta.name, resource.meta.resource_version,
                 stored->meta.resource_version);
  resource.meta.uid = stored->meta.uid;
  resource.meta.creation_timestamp = stored->meta.creation_timestamp;
  resource.meta.generation = stored->meta.generation + (resource.spec != stored->spec ? 1 : 0);
  resource.status = stored->status;
  auto revision = record_change(db, resource, ChangeType::kModified, now);
  if (!revision) return fail(revision.error());
  auto updated = db.exec(
      "UPDATE resources SET resource_version = $3, generation = $4, labels = $5, "
      "annotations = $6, spec = $7 WHERE kind = $1 AND name = $2",
      {resource.kind, resource.meta.name, *revision, resource.meta.generation,
       map_json({resource.meta.labels.begin(), resource.meta.labels.end()}),
       map_json(resource.meta.annotations), resource.spec});
  if (!updated) return fail(updated.error());
  return resource;
}

common::Result<Resource> ResourceStore::update_status(Connection& db, std::string_view kind,
                                                      std::string_view name, std::string status,
                                                      std::string_view now) const {
  auto stored = get(db, kind, name);
  if (!stored) return fail(stored.error());
  return update_status(db, std::move(*stored), std::move(status), now);
}

common::Result<Resource> ResourceStore::update_status(Connection& db, Resource current,
                                                      std::string status,
                                                      std::string_view now) const {
  current.status = std::move(status);
  auto revision = record_change(db, current, ChangeType::kModified, now);
  if (!revision) return fail(revision.error());
  auto updated = db.exec(
      "UPDATE resources SET resource_version = $3, status = $4 WHERE kind = $1 AND name = $2",
      {current.kind, current.meta.name, *revision, current.status});
  if (!updated) return fail(updated.error());
  return current;
}

common::Result<Resource> ResourceStore::touch(Connection& db, std::string_view kind,
                                              std::string_view name, std::string_view now) const {
  auto stored = get(db, kind, name);
  if (!stored) return fail(stored.error());
  auto revision = record_change(db, *stored, ChangeType::kModified, now);
  if (!revision) return fail(revision.error());
  auto updated = db.exec("UPDATE resources SET resource_version = $3 WHERE kind = $1 AND name = $2",
                         {kind, name, *revision});
  if (!updated) return fail(updated.error());
  return stored;
}

common::Result<Resource> ResourceStore::remove(Connection& db, std::string_view kind,
                                               std::string_view name, std::int64_t expected_version,
                                               std::string_view now) const {
  auto stored = get(db, kind, name);
  if (!stored) return fail(stored.error());
  if (expected_version != 0 && expected_version != stored->meta.resource_version)
    return stale(kind, name, expected_version, stored->meta.resource_version);
  auto revision = record_change(db, *stored, ChangeType::kDeleted, now);
  if (!revision) return fail(revision.error());
  auto deleted = db.exec("DELETE FROM resources WHERE kind = $1 AND name = $2", {kind, name});
  if (!deleted) return fail(deleted.error());
  return stored;
}

common::Result<ListPage> ResourceStore::list(Connection& db, std::string_view kind,
                                             std::string_view after, std::size_t limit) const {
  auto current = revision(db);
  if (!current) return fail(current.error());
  auto rows = db.query(fmt::format("SELECT {} FROM resources WHERE kind = $1 AND name > $2 "
                                   "ORDER BY name LIMIT $3",
                                   kColumns),
                       {kind, after, static_cast<std::int64_t>(limit) + 1});
  if (!rows) return fail(rows.error());
  ListPage page{{}, *current, {}};
  for (const auto& row : *rows) {
    if (page.items.size() == limit) {
      page.next_after = page.items.back().meta.name;
      break;
    }
    page.items.push_back(from_row(row));
  }
  return page;
}

common::Result<std::vector<Resource>> ResourceStore::list_all(Connection& db,
                                                              std::string_view kind) const {
  auto rows = db.query(
      fmt::format("SELECT {} FROM resources WHERE kind = $1 ORDER BY name", kColumns), {kind});
  if (!rows) return fail(rows.error());
  std::vector<Resource> out;
  out.reserve(rows->size());
  for (const auto& row : *rows) out.push_back(from_row(row));
  return out;
}

common::Result<std::vector<Change>> ResourceStore::changes_after(Connection& db,
                                                                 std::int64_t revision,
                                                                 std::size_t limit) const {
  auto rows = db.query(
      "SELECT revision, type, object FROM changes WHERE revision > $1 ORDER BY revision "
      "LIMIT $2",
      {revision, static_cast<std::int64_t>(limit)});
  if (!rows) return fail(rows.error());
  std::vector<Change> out;
  out.reserve(rows->size());
  for (const auto& row : *rows) {
    auto object = decode_object(row.text(2));
    if (!object) return fail(object.error());
    out.push_back(Change{row.int64(0), type_of(row.text(1)), std::move(*object)});
  }
  return out;
}

common::Result<std::int64_t> ResourceStore::revision(Connection& db) const {
  auto row = db.query_one("SELECT value FROM revision WHERE id = 1");
  if (!row) return fail(row.error());
  if (!*row) return fail(ErrorCode::kCorruption, "the revision row is missing");
  return (*row)->int64(0);
}

common::Result<std::optional<std::int64_t>> ResourceStore::oldest_change(Connection& db) const {
  auto row = db.query_one("SELECT MIN(revision) FROM changes");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<std::int64_t>();
  return (*row)->optional_int64(0);
}

common::Result<std::int64_t> ResourceStore::prune_changes(Connection& db,
                                                          std::string_view before) const {
  return db.exec(
      "DELETE FROM changes WHERE at < $1 AND revision < (SELECT MAX(revision) FROM changes)",
      {before});
}

}  // namespace groundcontrol::store
