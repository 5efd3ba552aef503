// ResourceStore: the SQL of the `resources` and `changes` tables (ADR 0006). Every write
// takes the next revision (one counter row, so revisions follow commit order), stores it
// as the resource's resourceVersion and appends the change with the object as written, in
// the caller's transaction: a service composes a write with its audit event and any other
// rows into one commit. Documents (spec, status, labels) are JSON text from the model's
// codecs; the store does not read them. Stateless; calls take the transaction's
// Connection, so thread-safety is the connection's (one transaction, one thread).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sql/connection.hpp"
#include "groundcontrol/model/object_meta.hpp"

namespace groundcontrol::store {

struct Resource {
  std::string kind;  // "Satellite", "Group", "SatelliteConfig", …
  model::ObjectMeta meta;
  std::string spec = "{}";    // JSON
  std::string status = "{}";  // JSON
};

enum class ChangeType { kAdded, kModified, kDeleted };
// "ADDED", "MODIFIED", "DELETED": as the change log stores it and a watch names it.
[[nodiscard]] std::string_view change_type_name(ChangeType type) noexcept;

struct Change {
  std::int64_t revision;
  ChangeType type;
  Resource object;  // as written by the change (for kDeleted: as it was last)
};

struct ListPage {
  std::vector<Resource> items;  // ordered by name
  std::int64_t revision;        // the revision the list was read at
  std::string next_after;       // the last name when more items follow; empty at the end
};

class ResourceStore {
 public:
  // Inserts with generation 1 and uid `uid`. kAlreadyExists when (kind, name) exists.
  [[nodiscard]] common::Result<Resource> create(common::sql::Connection& db, Resource resource,
                                                std::string_view uid, std::string_view now) const;
  // kNotFound when absent.
  [[nodiscard]] common::Result<Resource> get(common::sql::Connection& db, std::string_view kind,
                                             std::string_view name) const;
  // Which of `names` exist as resources of `kind` (one statement for a batch).
  [[nodiscard]] common::Result<std::set<std::string, std::less<>>> existing(
      common::sql::Connection& db, std::string_view kind, std::span<const std::string> names) const;
  // Replaces labels, annotations and spec (status is the server's: kept). When
  // resource.meta.resource_version is set it must be the stored one (kConflict otherwise).
  // generation grows when the spec changed. kNotFound when absent.
  [[nodiscard]] common::Result<Resource> replace(common::sql::Connection& db, Resource resource,
                                                 std::string_view now) const;
  // Replaces the status only, as a new revision; kNotFound when absent.
  [[nodiscard]] common::Result<Resource> update_status(common::sql::Connection& db,
                                                       std::string_view kind, std::string_view name,
                                                       std::string status,
                                                       std::string_view now) const;
  // The same for `current`, as get() read it in this transaction (not read again).
  [[nodiscard]] common::Result<Resource> update_status(common::sql::Connection& db,
                                                       Resource current, std::string status,
                                                       std::string_view now) const;
  // Marks the resource changed without altering it (a new revision, e.g. when rows it
  // owns elsewhere changed); kNotFound when absent.
  [[nodiscard]] common::Result<Resource> touch(common::sql::Connection& db, std::string_view kind,
                                               std::string_view name, std::string_view now) const;
  // Deletes; when expected_version is non-zero it must match (kConflict). kNotFound when
  // absent. Returns the resource as it was.
  [[nodiscard]] common::Result<Resource> remove(common::sql::Connection& db, std::string_view kind,
                                                std::string_view name,
                                                std::int64_t expected_version,
                                                std::string_view now) const;
  // Up to `limit` resources of `kind` with names after `after`, by name.
  [[nodiscard]] common::Result<ListPage> list(common::sql::Connection& db, std::string_view kind,
                                              std::string_view after, std::size_t limit) const;
  // Every resource of `kind` (the fleet view's load).
  [[nodiscard]] common::Result<std::vector<Resource>> list_all(common::sql::Connection& db,
                                                               std::string_view kind) const;
  // Changes after `revision`, oldest first, at most `limit`.
  [[nodiscard]] common::Result<std::vector<Change>> changes_after(common::sql::Connection& db,
                                                                  std::int64_t revision,
                                                                  std::size_t limit) const;
  // The revision of the last committed change (0 for none).
  [[nodiscard]] common::Result<std::int64_t> revision(common::sql::Connection& db) const;
  // The oldest revision still in the change log, or nullopt when it is empty.
  [[nodiscard]] common::Result<std::optional<std::int64_t>> oldest_change(
      common::sql::Connection& db) const;
  // Drops changes recorded before `before` (RFC 3339), keeping the newest one; returns how
  // many went.
  [[nodiscard]] common::Result<std::int64_t> prune_changes(common::sql::Connection& db,
                                                           std::string_view before) const;
};

}  // namespace groundcontrol::store
