// pg_failure: the one place where libpq results and connection failures become Errors,
// decided by SQLSTATE. Also says what the failure means for the transaction and the
// connection. Pure; thread-safe given a connection no other thread uses.
#pragma once

#include <string_view>

#include "common/result.hpp"

struct pg_conn;
struct pg_result;

namespace common::sql::postgres {

struct PgFailure {
  Error error;
  bool retryable = false;  // serialization failure, deadlock, stale cached plan, lost connection
  bool connection_lost = false;  // the connection is unusable: discard it
  bool stale_plan = false;       // a cached statement's result type changed: drop the cache
};

// The failure of `result` (null when libpq returned none) on `conn`. 23505/23P01 ->
// kAlreadyExists; 23xxx and 22xxx -> kInvalidArgument; 40001/40P01 -> kConflict (retryable);
// class 08, 57P01-57P03, 53300 or a broken connection -> kUnavailable (retryable,
// connection lost); 53100/53200 -> kResourceExhausted; else kInternal. The server's
// message (with SQLSTATE) is the detail.
PgFailure pg_failure(const pg_result* result, const pg_conn* conn, std::string_view what);

}  // namespace common::sql::postgres
