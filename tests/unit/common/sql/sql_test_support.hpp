// What the common::sql tests share: the backends the conformance suite runs on, the one
// PostgreSQL cluster of this test binary (started by the first test that needs it, stopped
// by a gtest Environment when the binary ends), a fresh database per test, and assertion
// helpers that print an Error's message and detail.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "testutil/postgres_instance.hpp"

namespace common::sql::test {

enum class Backend { kSqlite, kPostgres };

// The binary's PostgreSQL cluster; throws (failing the test) with the reason, e.g. the
// package to install, when it cannot run.
testutil::PostgresInstance& postgres();

// A fresh, empty database for the running test: a file in `dir`, or a new database on the
// cluster. Returns what Database::open takes.
std::string fresh_database(Backend backend, const std::filesystem::path& dir);

// gtest's parameter name: "Sqlite" or "Postgres".
std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

::testing::AssertionResult ok(const Status& status);
template <class T>
::testing::AssertionResult ok(const Result<T>& result) {
  if (result) return ::testing::AssertionSuccess();
  return ok(Status(fail(result.error())));
}
// Success when `status` failed with `code`.
::testing::AssertionResult fails_with(const Status& status, ErrorCode code);
template <class T>
::testing::AssertionResult fails_with(const Result<T>& result, ErrorCode code) {
  if (result) return fails_with(Status(), code);
  return fails_with(Status(fail(result.error())), code);
}

// Collects the payloads a subscription receives and lets a test wait for them.
class Inbox {
 public:
  PayloadCallback callback() {
    return [this](std::string_view payload) { push(std::string(payload)); };
  }
  ResyncCallback resync_callback() {
    return [this] { push("<resync>"); };
  }
  void push(std::string item);
  // Waits until `item` has arrived (true) or `timeout` passed (false).
  bool wait_for(const std::string& item,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::vector<std::string> items() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<std::string> items_;
};

}  // namespace common::sql::test
