// The `ground-control backup` command: a consistent copy of a SQLite deployment's database
// while `serve` keeps running and writing on it (SQLite's online backup API, see
// common/sql/sqlite_backup.hpp), staged beside the output as OUT.tmp, checked (opened as
// serve opens it, which leaves it a WAL-mode file, still one file with no -wal beside it;
// the master key must open its CA key), then fsynced and renamed into place (mode 0600).
// The master key is not in the database, and the copy's CA key and secrets open only with
// it, so by default it is written next to the copy (FILE.master-key, 0600). PostgreSQL
// deployments are refused: pg_dump backs them up (docs/runbook.md).
#pragma once

#include <string>

#include "common/result.hpp"
#include "groundcontrol/app/ground_control_options.hpp"

namespace groundcontrol::app {

struct BackupOptions {
  std::string out;              // the copy; its directory must exist
  bool force = false;           // replace an existing `out` (and its master-key file)
  bool with_master_key = true;  // also write the key to `out` + ".master-key"
};

// Writes the copy (and the key), printing what it wrote on stdout: path, size, schema
// version, key file. kUnsupported for a postgres:// database; kNotFound when --out's
// directory or the database or the master key is missing; kAlreadyExists when `out` exists
// without `force`; kPermissionDenied when the master key does not open the copy's CA key;
// I/O and SQLite errors otherwise. Each message is one line naming the file.
[[nodiscard]] common::Status backup_command(const GroundControlOptions& deployment,
                                            const BackupOptions& backup);

}  // namespace groundcontrol::app
