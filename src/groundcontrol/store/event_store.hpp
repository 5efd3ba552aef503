// EventStore: the audit trail (`events`): who changed what and when, written in the same
// transaction as the change, so no change goes unrecorded and no record describes a change
// that rolled back. Stateless; calls run in the caller's transaction.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sql/connection.hpp"

namespace groundcontrol::store {

struct Event {
  // The revision of the change it records; 0 for an event that changes no resource (a
  // user, a token), which is then filed under the current revision, so a reader paging with
  // `after` sees it too.
  std::int64_t revision = 0;
  std::string at;     // RFC 3339
  std::string actor;  // "user:admin", "satellite:sat-1", "harbor:group-a"
  std::string verb;   // create, replace, patch, delete, ingest, enroll, …
  std::string kind;
  std::string name;
  std::string message;
};

struct EventFilter {
  std::string kind;  // empty: any
  std::string name;  // empty: any
  std::int64_t after_revision = 0;
  std::size_t limit = 500;
};

class EventStore {
 public:
  [[nodiscard]] common::Status record(common::sql::Connection& db, const Event& event) const;
  // record() for each, in order, in one statement.
  [[nodiscard]] common::Status record_all(common::sql::Connection& db,
                                          std::span<const Event> events) const;
  // Matching events, oldest first.
  [[nodiscard]] common::Result<std::vector<Event>> list(common::sql::Connection& db,
                                                        const EventFilter& filter) const;
};

}  // namespace groundcontrol::store
