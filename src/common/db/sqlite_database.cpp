#include "common/db/sqlite_database.hpp"

#include <sqlite3.h>

#include <string>

namespace common::db {

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  ErrorCode code = ErrorCode::kInternal;
  switch (rc & 0xff) {
    case SQLITE_FULL:
      code = ErrorCode::kResourceExhausted;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = ErrorCode::kCorruption;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = ErrorCode::kUnavailable;
      break;
    case SQLITE_CONSTRAINT:
      code = ErrorCode::kConflict;
      break;
    default:
      break;
  }
  return Error(code, std::string(what), db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const noexcept {
  sqlite3_finalize(stmt);
}

Statement::~Statement() = default;

Statement& Statement::check_bind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  return check_bind(sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(),
                                        SQLITE_TRANSIENT, SQLITE_UTF8));
}

Statement& Statement::bind_borrowed(int index, std::string_view text) {
  return check_bind(sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_STATIC,
                                        SQLITE_UTF8));
}

Statement& Statement::bind(int index, std::int64_t value) {
  return check_bind(sqlite3_bind_int64(stmt_.get(), index, value));
}

Statement& Statement::bind_null(int index) {
  return check_bind(sqlite3_bind_null(stmt_.get(), index));
}

Result<bool> Statement::step() {
  if (bind_rc_ != SQLITE_OK) return fail(sqlite_error(nullptr, bind_rc_, "sqlite bind"));
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail(sqlite_error(db_, rc, "sqlite step"));
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return fail(row.error());
    if (!*row) return {};
  }
}

Status Statement::for_each_row(const std::function<Status()>& visit) {
  for (;;) {
    auto row = step();
    if (!row) return fail(row.error());
    if (!*row) return {};
    if (auto status = visit(); !status) return status;
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_rc_ = SQLITE_OK;
}

void Statement::rewind() {
  sqlite3_reset(stmt_.get());
}

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_blob(stmt_.get(), index);
  const int size = sqlite3_column_bytes(stmt_.get(), index);
  if (text == nullptr) return {};
  return std::string(static_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_.get(), index);
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->exec("ROLLBACK");
}

Status Transaction::commit() {
  auto status = db_->exec("COMMIT");
  if (status) db_ = nullptr;
  return status;
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(raw));  // private constructor
  if (rc != SQLITE_OK) return fail(sqlite_error(raw, rc, "open " + path));
  sqlite3_busy_timeout(raw, 5000);
  sqlite3_extended_result_codes(raw, 1);
  // Small page cache: the registry keeps its hot data in its own index.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                             "PRAGMA foreign_keys=ON", "PRAGMA cache_size=-512"}) {
    if (auto status = db->exec(pragma); !status) return fail(status.error());
  }
  return db;
}

SqliteDatabase::~SqliteDatabase() {
  cached_.clear();  // statements first: close_v2 would otherwise defer the close
  sqlite3_close_v2(db_);
}

Result<Statement> SqliteDatabase::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return fail(sqlite_error(db_, rc, "sqlite prepare"));
  return Statement(db_, stmt);
}

Result<CachedStatement> SqliteDatabase::cached(std::string_view sql) {
  auto it = cached_.find(std::string(sql));
  if (it == cached_.end()) {
    auto stmt = prepare(sql);
    if (!stmt) return fail(stmt.error());
    it = cached_.emplace(std::string(sql), std::move(*stmt)).first;
  }
  it->second.reset();
  return CachedStatement(&it->second);
}

Status SqliteDatabase::exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(sqlite_error(db_, rc, "sqlite exec"));
  return {};
}

Result<Transaction> SqliteDatabase::begin() {
  if (auto status = exec("BEGIN IMMEDIATE"); !status) return fail(status.error());
  return Transaction(this);
}

Result<Transaction> SqliteDatabase::begin_read() {
  if (auto status = exec("BEGIN"); !status) return fail(status.error());
  return Transaction(this);
}

Result<int> SqliteDatabase::user_version() {
  auto stmt = prepare("PRAGMA user_version");
  if (!stmt) return fail(stmt.error());
  auto row = stmt->step();
  if (!row) return fail(row.error());
  return static_cast<int>(stmt->column_int(0));
}

Status SqliteDatabase::migrate(std::span<const Migration> migrations) {
  auto current = user_version();
  if (!current) return fail(current.error());
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  if (*current > newest) {
    return fail(ErrorCode::kUnsupported, "data directory was written by a newer version",
                "schema " + std::to_string(*current) + " > " + std::to_string(newest));
  }
  for (const auto& migration : migrations) {
    if (migration.version <= *current) continue;
    auto txn = begin();
    if (!txn) return fail(txn.error());
    if (auto status = exec(migration.sql); !status) return status;
    if (auto status = exec("PRAGMA user_version=" + std::to_string(migration.version)); !status) {
      return status;
    }
    if (auto status = txn->commit(); !status) return status;
  }
  return {};
}

std::int64_t SqliteDatabase::changes() const {
  return sqlite3_changes64(db_);
}

}  // namespace common::db
