// The database schema of ground control: numbered migrations for both engines, applied at
// start by Database::migrate (ADR 0006 explains the tables). A newer binary opens an older
// database; an older binary refuses a newer one. Append steps; never edit a released one.
#pragma once

#include <span>

#include "common/sql/database_options.hpp"
#include "common/sql/migration.hpp"

namespace groundcontrol::store {

std::span<const common::sql::Migration> migrations();

// `base` with what every handle on this schema needs: writers queue on the `revision`
// counter row that each resource write bumps (on PostgreSQL; see
// DatabaseOptions::serialize_writes_on), instead of aborting one another.
[[nodiscard]] common::sql::DatabaseOptions database_options(common::sql::DatabaseOptions base = {});

}  // namespace groundcontrol::store
