#include "groundcontrol/app/backup_command.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "common/clock.hpp"
#include "common/crypto/master_key.hpp"
#include "common/crypto/secret_box.hpp"
#include "common/fs/file_ops.hpp"
#include "common/fs/secret_file.hpp"
#include "common/sql/database.hpp"
#include "common/sql/sqlite_backup.hpp"
#include "groundcontrol/app/certificate_authority_keeper.hpp"

namespace groundcontrol::app {
namespace {

using common::ErrorCode;
using common::fail;
namespace fs = std::filesystem;

constexpr std::string_view kKeySuffix = ".master-key";

// The error as one line: main prints only the message, and SQLite's or the kernel's reason
// sits in the detail.
common::Error one_line(const common::Error& error) {
  if (error.detail().empty()) return error;
  return common::Error(error.code(), fmt::format("{}: {}", error.message(), error.detail()));
}

// `path` may be written: its directory exists, and it is absent unless `force`.
common::Status check_target(const std::string& flag, const fs::path& path, bool force) {
  std::error_code ec;
  const auto dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec))
    return fail(ErrorCode::kNotFound, fmt::format("{}: no directory {}", flag, dir.string()));
  if (fs::is_directory(path, ec))
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: {} is a directory", flag, path.string()));
  if (fs::exists(path, ec) && !force)
    return fail(ErrorCode::kAlreadyExists,
                fmt::format("{}: {} exists (--force replaces it)", flag, path.string()));
  return {};
}

common::Status check_source(const fs::path& database, const fs::path& out) {
  std::error_code ec;
  if (!fs::exists(database, ec))
    return fail(ErrorCode::kNotFound,
                fmt::format("no database at {} (is --data-dir right?)", database.string()));
  if (fs::exists(out, ec) && fs::equivalent(database, out, ec))
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("--out: {} is the live database", out.string()));
  return {};
}

// The key serve would use, never made here: GROUND_CONTROL_MASTER_KEY, else the file.
common::Result<common::crypto::MasterKey> deployment_key(const GroundControlOptions& options) {
  if (!options.master_key_base64.empty())
    return common::crypto::MasterKey::from_base64(options.master_key_base64);
  const auto file = master_key_location(options);
  auto key = common::crypto::MasterKey::load_file(file);
  if (!key && key.error().code() == ErrorCode::kNotFound)
    return fail(
        ErrorCode::kNotFound,
        fmt::format("no master key at {} (--master-key-file or GROUND_CONTROL_MASTER_KEY)", file));
  return key;
}

// The copy's schema version, after checking that `box` opens its CA key: a backup that
// could not be restored is refused now rather than found out at restore time.
common::Result<int> check_copy(const std::string& copy, const common::crypto::SecretBox& box) {
  auto db = common::sql::Database::open(copy, {.pool_size = 1});
  if (!db) return fail(db.error());
  auto version = (*db)->schema_version();
  if (!version) return fail(version.error());
  const common::SystemClock clock;
  if (auto ca = load_ca(**db, box, clock); !ca) return fail(ca.error());
  return *version;
}

// The staged copy and what the check's SQLite connections may have left beside it (a stale
// WAL next to a new copy would be replayed into it).
void remove_staged(const std::string& staged) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((staged + suffix).c_str());
}

// The checked copy at `staged`, and its schema version; nothing left behind on failure.
common::Result<int> stage_copy(const std::string& database, const std::string& staged,
                               const common::crypto::SecretBox& box) {
  remove_staged(staged);  // a stale one from an interrupted run
  if (auto ok = common::sql::backup_sqlite(database, staged); !ok) return fail(ok.error());
  auto version = check_copy(staged, box);
  if (!version) remove_staged(staged);
  return version;
}

}  // namespace

common::Status backup_command(const GroundControlOptions& deployment, const BackupOptions& backup) {
  const auto database = database_location(deployment);
  if (database.starts_with("postgres://") || database.starts_with("postgresql://"))
    return fail(ErrorCode::kUnsupported,
                "backup copies a SQLite database; back up PostgreSQL with pg_dump "
                "(docs/runbook.md)");
  const auto key_file = backup.out + std::string(kKeySuffix);
  if (auto ok = check_target("--out", backup.out, backup.force); !ok) return ok;
  if (backup.with_master_key) {
    if (auto ok = check_target("--out", key_file, backup.force); !ok) return ok;
  }
  if (auto ok = check_source(database, backup.out); !ok) return ok;
  auto key = deployment_key(deployment);
  if (!key) return fail(one_line(key.error()));
  const auto key_text = key->to_base64();
  const auto key_id = key->id_hex();
  const common::crypto::SecretBox box(std::move(*key));

  const auto staged = backup.out + ".tmp";
  auto schema_version = stage_copy(database, staged, box);
  if (!schema_version) return fail(one_line(schema_version.error()));
  // The key before the copy: a copy published without its key could not be restored.
  common::Status published;
  if (backup.with_master_key) published = common::fs::write_secret_file(key_file, key_text);
  if (published) published = common::fs::durable_rename(staged, backup.out);
  if (!published) {
    remove_staged(staged);
    return fail(one_line(published.error()));
  }
  std::error_code ec;
  const auto size = fs::file_size(backup.out, ec);
  std::printf("backup %s (%ju bytes, schema version %d) of %s\n", backup.out.c_str(),
              static_cast<std::uintmax_t>(size), *schema_version, database.c_str());
  if (backup.with_master_key)
    std::printf("master key %s (id %s, mode 0600): restore it with the backup\n", key_file.c_str(),
                key_id.c_str());
  else
    std::printf("master key not copied (id %s): the backup opens only with it\n", key_id.c_str());
  return {};
}

}  // namespace groundcontrol::app
