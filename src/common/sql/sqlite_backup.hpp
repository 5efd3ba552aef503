// backup_sqlite(): a consistent copy of a live SQLite database file, made with SQLite's online
// backup API while other connections and processes keep writing. Every page is copied in one
// backup step, inside one read transaction on the source, so the copy is the database as of
// one commit; on a WAL database (as Database keeps it) that reader never blocks a writer, it
// only keeps the WAL from being checkpointed past it while the copy runs.
// The source is opened read-only and never created. The copy is a plain rollback-journal
// database file, mode 0600 (it holds what the source holds), written and fsynced before the
// call returns; publishing it under its final name (rename, directory fsync) is the caller's.
// Thread-safety: safe from any thread; blocks on disk I/O (run it off network threads).
#pragma once

#include <string>

#include "common/result.hpp"

namespace common::sql {

// Copies the database at `source_path` into a new file `destination_path`. kNotFound when no
// file is at `source_path`; kCorruption when it is not a SQLite database; kAlreadyExists
// when `destination_path` exists (never overwritten); kUnavailable when the source stayed
// locked (another process mid-checkpoint or in exclusive mode) through every retry; other
// SQLite and I/O errors as sqlite_error()/posix_error(). On failure the destination is gone.
[[nodiscard]] Status backup_sqlite(const std::string& source_path,
                                   const std::string& destination_path);

}  // namespace common::sql
