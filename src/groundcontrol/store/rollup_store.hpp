// RollupStore: the SQL of `satellite_rollup`, the connectivity and sync state each
// satellite's resource status last showed (what the status roll-up compares against).
// Stateless; calls run in the caller's transaction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sql/connection.hpp"

namespace groundcontrol::store {

struct RolledUp {
  std::string satellite;
  std::string connectivity;
  std::string sync;
};

class RollupStore {
 public:
  [[nodiscard]] common::Result<std::vector<RolledUp>> scan(common::sql::Connection& db) const;
  [[nodiscard]] common::Status put(common::sql::Connection& db, const RolledUp& rolled) const;
  [[nodiscard]] common::Status remove(common::sql::Connection& db,
                                      std::string_view satellite) const;
};

}  // namespace groundcontrol::store
