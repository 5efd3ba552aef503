#include "common/sql/postgres/pg_error.hpp"

#include <libpq-fe.h>

#include <string>

namespace common::sql::postgres {
namespace {

std::string trimmed(const char* text) {
  std::string out = text != nullptr ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

PgFailure pg_failure(const pg_result* result, const pg_conn* conn, std::string_view what) {
  const char* field = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = field != nullptr ? field : "";
  std::string detail = trimmed(result != nullptr ? PQresultErrorMessage(result) : nullptr);
  if (detail.empty()) detail = trimmed(PQerrorMessage(conn));
  if (!state.empty()) detail = "SQLSTATE " + state + ": " + detail;

  const std::string_view klass = std::string_view(state).substr(0, 2);
  const bool broken = conn == nullptr || PQstatus(conn) == CONNECTION_BAD;
  ErrorCode code = ErrorCode::kInternal;
  PgFailure failure{Error(code, "", ""), false, false, false};
  if (broken || klass == "08" || state == "57P01" || state == "57P02" || state == "57P03" ||
      state == "53300") {
    code = ErrorCode::kUnavailable;
    failure.retryable = true;
    failure.connection_lost = broken || klass == "08" || state.starts_with("57P0");
  } else if (state == "40001" || state == "40P01") {
    code = ErrorCode::kConflict;
    failure.retryable = true;
  } else if (state == "23505" || state == "23P01") {
    code = ErrorCode::kAlreadyExists;
  } else if (klass == "23" || klass == "22") {
    code = ErrorCode::kInvalidArgument;
  } else if (state == "53100" || state == "53200") {
    code = ErrorCode::kResourceExhausted;
  } else if (state == "0A000" &&
             detail.find("cached plan must not change result type") != std::string::npos) {
    failure.retryable = true;  // the schema changed under a cached statement
    failure.stale_plan = true;
  }
  failure.error = Error(code, std::string(what), std::move(detail));
  return failure;
}

}  // namespace common::sql::postgres
