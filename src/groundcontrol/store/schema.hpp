// The database schema of ground control: numbered migrations for both engines, applied at
// start by Database::migrate (ADR 0006 explains the tables). A newer binary opens an older
// database; an older binary refuses a newer one. Append steps; never edit a released one.
#pragma once

#include <span>

#include "common/sql/migration.hpp"

namespace groundcontrol::store {

std::span<const common::sql::Migration> migrations();

}  // namespace groundcontrol::store
