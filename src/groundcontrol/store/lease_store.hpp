// LeaseStore: the SQL of `leases`, which make a periodic job run on one replica at a time
// (ADR 0006 §5). A lease is a row (name, holder, expires_at); taking it succeeds when it is
// free, expired, or already the caller's (a renewal), in one statement, so two replicas
// racing for it cannot both win. Times are RFC 3339 UTC text (text order is time order).
// Stateless; calls run in the caller's transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/sql/connection.hpp"

namespace groundcontrol::store {

struct Lease {
  std::string name;
  std::string holder;
  std::string expires_at;
};

class LeaseStore {
 public:
  // Takes or renews `name` for `holder` until `expires_at`; true when `holder` now holds it.
  [[nodiscard]] common::Result<bool> acquire(common::sql::Connection& db, std::string_view name,
                                             std::string_view holder, std::string_view now,
                                             std::string_view expires_at) const;
  // Gives the lease up if `holder` holds it (a replica stopping), so another takes it at once.
  [[nodiscard]] common::Status release(common::sql::Connection& db, std::string_view name,
                                       std::string_view holder) const;
  [[nodiscard]] common::Result<std::optional<Lease>> get(common::sql::Connection& db,
                                                         std::string_view name) const;
};

}  // namespace groundcontrol::store
