// Migration: one numbered schema step, with its text for each dialect (the two may be the
// same string when the SQL is portable). Database::migrate applies, in order, every step a
// database has not seen, each in its own transaction together with its row in
// schema_migrations(version, name, applied_at), so a step is applied entirely or not at
// all. A step's text may hold several statements but no BEGIN/COMMIT, and nothing that
// cannot run inside a transaction (CREATE INDEX CONCURRENTLY, VACUUM). Versions may skip
// numbers; a step missing below the highest applied one (a gap a later binary fills) is
// applied too, so steps in a gap must not depend on the steps after it.
// Plain data; the texts are usually string literals (constexpr tables).
#pragma once

#include <string_view>

#include "common/sql/dialect.hpp"

namespace common::sql {

struct Migration {
  int version;            // > 0, strictly increasing along the list
  std::string_view name;  // short, for operators ("create satellites")
  std::string_view sqlite;
  std::string_view postgres;

  constexpr std::string_view sql(Dialect dialect) const noexcept {
    return dialect == Dialect::kSqlite ? sqlite : postgres;
  }
};

}  // namespace common::sql
