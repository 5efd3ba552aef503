#include "common/sql/postgres/pg_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string>

#include "common/sql/detail/migration_runner.hpp"
#include "common/sql/detail/notification_hub.hpp"
#include "common/sql/detail/placeholder_scan.hpp"
#include "common/sql/postgres/pg_error.hpp"

namespace common::sql::postgres {
namespace {

// Type OIDs from PostgreSQL's catalog (pg_type.dat); stable across versions.
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26, kFloat4 = 700,
              kFloat8 = 701;

// The parameters of one call in libpq's shape. Integers go as text with type int8, text as
// text of unknown type (the server infers it from the context), blobs as binary bytea.
struct EncodedParams {
  std::vector<Oid> types;
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  std::vector<std::string> numbers;  // reserved up front: values point into it
  std::string signature;             // one character per parameter type
};

Result<EncodedParams> encode(std::span<const Param> params) {
  EncodedParams out;
  out.numbers.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Param::Value& value = params[i].value();
    Oid type = 0;
    const char* data = nullptr;
    int length = 0;
    int format = 0;
    if (const auto* number = std::get_if<std::int64_t>(&value)) {
      type = kInt8;
      data = out.numbers.emplace_back(std::to_string(*number)).c_str();
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      if (std::memchr(text->data(), '\0', text->size()) != nullptr) {
        return fail(ErrorCode::kInvalidArgument,
                    "text parameter $" + std::to_string(i + 1) +
                        " contains a NUL byte (bytes belong in a Blob)");
      }
      data = text->c_str();
    } else if (const auto* blob = std::get_if<Blob>(&value)) {
      type = kBytea;
      data = blob->bytes.data();
      length = static_cast<int>(blob->bytes.size());
      format = 1;
    }
    out.types.push_back(type);
    out.values.push_back(data);
    out.lengths.push_back(length);
    out.formats.push_back(format);
    out.signature.push_back(type == kInt8 ? 'i' : type == kBytea ? 'b' : 'u');
  }
  return out;
}

Row::Cell read_cell(const PGresult* result, int row, int column, Oid type) {
  if (PQgetisnull(result, row, column)) return nullptr;
  const char* text = PQgetvalue(result, row, column);
  const auto length = static_cast<std::size_t>(PQgetlength(result, row, column));
  switch (type) {
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid: {
      std::int64_t value = 0;
      std::from_chars(text, text + length, value);
      return value;
    }
    case kBool:
      return std::int64_t{text[0] == 't' ? 1 : 0};
    case kFloat4:
    case kFloat8:
      return std::strtod(text, nullptr);  // also "NaN", "Infinity"
    case kBytea: {
      std::size_t size = 0;
      unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &size);
      Blob blob{std::string(reinterpret_cast<const char*>(bytes), size)};
      PQfreemem(bytes);
      return blob;
    }
    default:
      return std::string(text, length);
  }
}

std::vector<Row> read_rows(const PGresult* result) {
  const int rows = PQntuples(result);
  const int columns = PQnfields(result);
  std::vector<Row> out;
  out.reserve(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    std::vector<Row::Cell> cells;
    cells.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) cells.push_back(read_cell(result, r, c, PQftype(result, c)));
    out.emplace_back(std::move(cells));
  }
  return out;
}

bool succeeded(const PGresult* result) {
  const auto status = PQresultStatus(result);
  return result != nullptr && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK);
}

void discard_notice(void*, const char*) {}

struct Arrays {
  std::vector<const char*> keys;
  std::vector<const char*> values;
};

Arrays arrays_of(const ConnectParams& params) {
  Arrays out;
  for (const auto& [key, value] : params.settings) {
    out.keys.push_back(key.c_str());
    out.values.push_back(value.c_str());
  }
  out.keys.push_back(nullptr);
  out.values.push_back(nullptr);
  return out;
}

}  // namespace

void PgResultDeleter::operator()(pg_result* result) const noexcept {
  PQclear(result);
}
void PgConnDeleter::operator()(pg_conn* conn) const noexcept {
  PQfinish(conn);
}

Result<PgConn> ConnectParams::connect() const {
  const Arrays arrays = arrays_of(*this);
  PgConn conn(PQconnectdbParams(arrays.keys.data(), arrays.values.data(), 1));
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    return fail(pg_failure(nullptr, conn.get(), "cannot connect to PostgreSQL").error);
  }
  PQsetNoticeProcessor(conn.get(), discard_notice, nullptr);
  return conn;
}

Result<PgConn> ConnectParams::connect_start() const {
  const Arrays arrays = arrays_of(*this);
  PgConn conn(PQconnectStartParams(arrays.keys.data(), arrays.values.data(), 1));
  if (conn == nullptr || PQstatus(conn.get()) == CONNECTION_BAD) {
    return fail(pg_failure(nullptr, conn.get(), "cannot connect to PostgreSQL").error);
  }
  PQsetNoticeProcessor(conn.get(), discard_notice, nullptr);
  return conn;
}

PgConnection::~PgConnection() = default;

Error PgConnection::record(const pg_result* result, std::string_view what) {
  PgFailure failure = pg_failure(result, conn_.get(), what);
  if (failure.connection_lost) lost_ = true;
  if (failure.stale_plan) flush_cache_ = true;
  return state_.record(std::move(failure.error), failure.retryable);
}

Result<PgResult> PgConnection::simple(const char* sql) {
  PgResult result(PQexec(conn_.get(), sql));
  if (!succeeded(result.get())) return fail(record(result.get(), "PostgreSQL command failed"));
  return result;
}

Result<std::string> PgConnection::prepared_name(std::string_view sql, std::string_view key,
                                                const std::vector<unsigned>& types) {
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  if (cache_.size() >= std::max<std::size_t>(cache_size_, 1)) {
    auto dropped = simple("DEALLOCATE ALL");
    if (!dropped) return fail(std::move(dropped.error()));
    cache_.clear();
  }
  std::string name = "s" + std::to_string(next_name_++);
  PgResult result(PQprepare(conn_.get(), name.c_str(), std::string(sql).c_str(),
                            static_cast<int>(types.size()), types.data()));
  if (!succeeded(result.get())) {
    return fail(record(result.get(), "PostgreSQL cannot prepare the statement"));
  }
  cache_.emplace(std::string(key), name);
  return name;
}

Result<PgResult> PgConnection::run(std::string_view sql, std::span<const Param> params) {
  if (auto status = state_.check(); !status) return fail(std::move(status.error()));
  if (lost_) return fail(record(nullptr, "the PostgreSQL connection is lost"));
  const int wanted = detail::highest_placeholder(sql, Dialect::kPostgres);
  if (static_cast<std::size_t>(wanted) != params.size()) {
    return fail(record(Error(ErrorCode::kInvalidArgument,
                             "the statement takes " + std::to_string(wanted) + " parameters but " +
                                 std::to_string(params.size()) + " were given")));
  }
  auto encoded = encode(params);
  if (!encoded) return fail(record(std::move(encoded.error())));
  const std::string key = encoded->signature + ':' + std::string(sql);
  auto name = prepared_name(sql, key, encoded->types);
  if (!name) return fail(std::move(name.error()));
  PgResult result(PQexecPrepared(conn_.get(), name->c_str(), static_cast<int>(params.size()),
                                 encoded->values.data(), encoded->lengths.data(),
                                 encoded->formats.data(), 0));
  if (!succeeded(result.get())) return fail(record(result.get(), "PostgreSQL statement failed"));
  return result;
}

Result<std::vector<Row>> PgConnection::query(std::string_view sql, std::span<const Param> params) {
  auto result = run(sql, params);
  if (!result) return fail(std::move(result.error()));
  return read_rows(result->get());
}

Result<std::int64_t> PgConnection::exec(std::string_view sql, std::span<const Param> params) {
  auto result = run(sql, params);
  if (!result) return fail(std::move(result.error()));
  const char* count = PQcmdTuples(result->get());
  std::int64_t affected = 0;
  std::from_chars(count, count + std::strlen(count), affected);  // "" for DDL: 0
  return affected;
}

Status PgConnection::exec_script(std::string_view sql) {
  if (auto status = state_.check(); !status) return status;
  if (detail::highest_placeholder(sql, Dialect::kPostgres) > 0) {
    return fail(record(Error(ErrorCode::kInvalidArgument, "exec_script takes no parameters")));
  }
  auto result = simple(std::string(sql).c_str());
  if (!result) return fail(std::move(result.error()));
  return {};
}

Status PgConnection::notify(std::string_view channel, std::string_view payload) {
  if (auto status = state_.check(); !status) return status;
  if (auto status = detail::validate_channel(channel); !status) return fail(record(status.error()));
  if (auto status = detail::validate_payload(payload); !status) return fail(record(status.error()));
  auto result = query("SELECT pg_notify($1, $2)", {channel, payload});
  if (!result) return fail(std::move(result.error()));
  return {};
}

Status PgConnection::begin(BeginMode mode, std::string_view lock_table) {
  state_.reset();
  if (lost_) return fail(record(nullptr, "the PostgreSQL connection is lost"));
  const char* sql = mode == BeginMode::kSerializable ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                    : mode == BeginMode::kSerializableReadOnly
                        ? "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY"
                        : "BEGIN ISOLATION LEVEL READ COMMITTED";
  if (auto result = simple(sql); !result) return fail(std::move(result.error()));
  if (!lock_table.empty()) {
    // A utility statement: takes no snapshot, so the first query's snapshot comes after
    // the lock is held and sees every queued writer before it.
    const std::string lock = "LOCK TABLE " + std::string(lock_table) + " IN EXCLUSIVE MODE";
    if (auto result = simple(lock.c_str()); !result) return fail(std::move(result.error()));
  }
  if (mode == BeginMode::kMigration) {
    auto locked = query("SELECT pg_advisory_xact_lock($1)", {detail::kMigrationLockKey});
    if (!locked) return fail(std::move(locked.error()));
  }
  return {};
}

Status PgConnection::commit() {
  PgResult result(PQexec(conn_.get(), "COMMIT"));
  if (!succeeded(result.get())) {
    PgFailure failure = pg_failure(result.get(), conn_.get(), "PostgreSQL COMMIT failed");
    if (failure.connection_lost) {
      lost_ = true;
      // The server may have committed before the connection went: never run fn again.
      return fail(state_.record(
          Error(ErrorCode::kUnavailable, "connection lost during COMMIT: the outcome is unknown",
                failure.error.detail()),
          false));
    }
    return fail(state_.record(std::move(failure.error), failure.retryable));
  }
  if (std::string_view(PQcmdStatus(result.get())) == "ROLLBACK") {
    return fail(record(Error(ErrorCode::kInternal, "PostgreSQL rolled the transaction back")));
  }
  return {};
}

void PgConnection::rollback() noexcept {
  if (lost_ || PQstatus(conn_.get()) != CONNECTION_OK) return;
  if (PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) PgResult(PQexec(conn_.get(), "ROLLBACK"));
  if (flush_cache_) {
    PgResult(PQexec(conn_.get(), "DEALLOCATE ALL"));
    cache_.clear();
    flush_cache_ = false;
  }
}

bool PgConnection::usable() {
  if (lost_ || PQstatus(conn_.get()) != CONNECTION_OK ||
      PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) {
    return false;
  }
  // An idle pooled connection has nothing to read (it LISTENs on nothing): input means the
  // server said goodbye (shutdown, idle timeout) or closed the socket.
  pollfd socket{PQsocket(conn_.get()), POLLIN, 0};
  return ::poll(&socket, 1, 0) == 0;
}

}  // namespace common::sql::postgres
