#include "common/sql/sqlite_backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <thread>

#include "common/fs/file_ops.hpp"
#include "common/fs/posix_error.hpp"
#include "common/sql/sqlite/sqlite_error.hpp"

namespace common::sql {
namespace {

// A lock held by another process (a checkpoint, an exclusive transaction) ends in
// milliseconds; give it this many tries, kRetryPause apart, before kUnavailable.
constexpr int kStepAttempts = 50;
constexpr auto kRetryPause = std::chrono::milliseconds(100);
constexpr int kBusyTimeoutMs = 5000;

struct CloseConnection {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using Handle = std::unique_ptr<sqlite3, CloseConnection>;

Result<Handle> open_connection(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Handle handle(raw);
  if (rc != SQLITE_OK) return fail(sqlite::sqlite_error(raw, rc, "cannot open " + path));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  return handle;
}

// Removes the destination unless dismissed: a failed backup leaves no half-written file.
class RemoveUnlessKept {
 public:
  explicit RemoveUnlessKept(std::string path) : path_(std::move(path)) {}
  ~RemoveUnlessKept() {
    if (!kept_) ::unlink(path_.c_str());
  }
  void keep() noexcept { kept_ = true; }

 private:
  std::string path_;
  bool kept_ = false;
};

// All pages in one step: one read transaction on the source, so one consistent snapshot.
Status copy_pages(sqlite3* source, sqlite3* destination, const std::string& source_path) {
  sqlite3_backup* backup = sqlite3_backup_init(destination, "main", source, "main");
  if (backup == nullptr)
    return fail(sqlite::sqlite_error(destination, sqlite3_errcode(destination),
                                     "cannot start the backup of " + source_path));
  int rc = SQLITE_OK;
  for (int attempt = 1; attempt <= kStepAttempts; ++attempt) {
    rc = sqlite3_backup_step(backup, -1);
    if (!sqlite::is_retryable(rc)) break;
    std::this_thread::sleep_for(kRetryPause);
  }
  const int finished = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE)
    return fail(sqlite::sqlite_error(nullptr, rc, "cannot copy " + source_path));
  if (finished != SQLITE_OK)
    return fail(sqlite::sqlite_error(destination, finished, "cannot copy " + source_path));
  return {};
}

}  // namespace

Status backup_sqlite(const std::string& source_path, const std::string& destination_path) {
  struct stat info {};
  if (::stat(source_path.c_str(), &info) != 0)
    return fail(fs::posix_error("stat", source_path, errno));
  auto source = open_connection(source_path, SQLITE_OPEN_READONLY);
  if (!source) return fail(std::move(source.error()));

  // O_EXCL claims the name (an existing file is never overwritten) with the copy's mode;
  // SQLite then fills the empty file.
  auto claimed = fs::open_file(destination_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (!claimed) return fail(std::move(claimed.error()));
  RemoveUnlessKept cleanup(destination_path);
  {
    auto destination =
        open_connection(destination_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!destination) return fail(std::move(destination.error()));
    if (auto ok = copy_pages(source->get(), destination->get(), source_path); !ok) return ok;
    // The source's header says WAL; the copy is one self-contained file.
    const int rc =
        sqlite3_exec(destination->get(), "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
      return fail(
          sqlite::sqlite_error(destination->get(), rc, "cannot finish " + destination_path));
  }
  if (auto ok = fs::sync_fd(claimed->get(), destination_path); !ok) return ok;
  cleanup.keep();
  return {};
}

}  // namespace common::sql
