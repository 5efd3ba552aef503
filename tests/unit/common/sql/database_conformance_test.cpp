// The conformance suite: values, statements, transactions, errors, concurrency and pools;
// instantiated here for every backend (see sql_conformance.hpp).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <limits>
#include <thread>
#include <vector>

#include "sql_conformance.hpp"

namespace common::sql {
namespace {

using namespace std::chrono_literals;
using test::Backend;
using test::count_items;
using test::fails_with;
using test::ok;
using test::read;
using test::SqlConformanceTest;
using test::write;

TEST_P(SqlConformanceTest, RoundTripsNullsIntegersTextAndBlobs) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  const auto min = std::numeric_limits<std::int64_t>::min();
  const auto max = std::numeric_limits<std::int64_t>::max();
  const std::string unicode = "grüße, 世界, 🚢";
  std::string big;
  while (big.size() < (1u << 20)) big += unicode;
  const std::string bytes("\0\x01\xff\0tail\0", 9);
  const std::string zeros(1u << 20, '\0');
  ASSERT_TRUE(ok(db->transact([&](Connection& conn) -> Status {
    const std::string_view insert =
        "INSERT INTO items (name, n, body, data) VALUES ($1, $2, $3, $4)";
    for (const auto& params : std::vector<std::vector<Param>>{
             {"a-min", min, unicode, Blob{bytes}},
             {"b-max", max, big, Blob{zeros}},
             {"c-nulls", nullptr, nullptr, nullptr},
             {"d-empty", 0, "", Blob{}},
             {"e-optional", true, std::optional<std::string>("o"), std::optional<Blob>()},
         }) {
      if (auto inserted = conn.exec(insert, params); !inserted) return fail(inserted.error());
    }
    return {};
  })));
  auto rows = read(*db, "SELECT name, n, body, data FROM items ORDER BY name");
  ASSERT_TRUE(ok(rows));
  ASSERT_EQ(rows->size(), 5u);
  const auto& r = *rows;
  EXPECT_EQ(r[0].int64(1), min);
  EXPECT_EQ(r[0].text(2), unicode);
  EXPECT_EQ(r[0].blob(3), bytes);
  EXPECT_EQ(r[1].int64(1), max);
  EXPECT_EQ(r[1].text(2), big);
  EXPECT_EQ(r[1].blob(3), zeros);
  for (std::size_t column = 1; column < 4; ++column) EXPECT_TRUE(r[2].is_null(column));
  EXPECT_EQ(r[2].optional_int64(1), std::nullopt);
  EXPECT_EQ(r[2].optional_text(2), std::nullopt);
  EXPECT_EQ(r[2].optional_blob(3), std::nullopt);
  EXPECT_EQ(r[3].optional_text(2), "");  // empty, not NULL
  EXPECT_EQ(r[3].optional_blob(3), "");
  EXPECT_EQ(r[4].int64(1), 1);  // bool -> 1
  EXPECT_EQ(r[4].text(2), "o");
  EXPECT_TRUE(r[4].is_null(3));

  // Parameters come back with their types from a bare SELECT too.
  auto direct = read(*db, "SELECT $1, $2, $3, $4", {max, unicode, Blob{bytes}, nullptr});
  ASSERT_TRUE(ok(direct));
  EXPECT_EQ(direct->front().int64(0), max);
  EXPECT_EQ(direct->front().text(1), unicode);
  EXPECT_EQ(direct->front().blob(2), bytes);
  EXPECT_TRUE(direct->front().is_null(3));
}

TEST_P(SqlConformanceTest, PlaceholdersAreRewrittenOnlyOutsideLiteralsIdentifiersAndComments) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  auto rows = read(*db,
                   "SELECT '$1' AS a, $1 AS b, 'it''s $2' AS c /* $3 */ -- $4\n"
                   "  , $2 AS d, $1 AS e",
                   {"one", "two"});
  ASSERT_TRUE(ok(rows));
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front(), Row({"$1", "one", "it's $2", "two", "one"}));

  ASSERT_TRUE(ok(db->transact([&](Connection& conn) -> Status {
    if (auto s = conn.exec_script("CREATE TABLE odd (\"$1\" TEXT, \"a$2\" TEXT)"); !s) return s;
    auto inserted = conn.exec("INSERT INTO odd (\"$1\", \"a$2\") VALUES ($1, $2)", {"x", "y"});
    if (!inserted) return fail(inserted.error());
    return {};
  })));
  auto odd = read(*db, "SELECT \"$1\", \"a$2\" FROM odd WHERE \"$1\" = $1", {"x"});
  ASSERT_TRUE(ok(odd));
  ASSERT_EQ(odd->size(), 1u);
  EXPECT_EQ(odd->front().text(1), "y");
}

TEST_P(SqlConformanceTest, WrongParameterCountOrNulInTextIsInvalidArgument) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(fails_with(read(*db, "SELECT $1, $2", {"only one"}), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(fails_with(read(*db, "SELECT $1", {"a", "b"}), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(fails_with(read(*db, "SELECT $1", {std::string("nul\0inside", 10)}),
                         ErrorCode::kInvalidArgument));
  EXPECT_FALSE(read(*db, "SELECT 1; SELECT 2").has_value());  // one statement per call
}

TEST_P(SqlConformanceTest, RollsBackWhenTheFunctionFails) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  auto status = db->transact([](Connection& conn) -> Status {
    auto inserted = conn.exec("INSERT INTO items (name) VALUES ($1)", {"ghost"});
    if (!inserted) return fail(inserted.error());
    return fail(ErrorCode::kNotFound, "the caller's own failure");
  });
  ASSERT_TRUE(fails_with(status, ErrorCode::kNotFound));
  EXPECT_EQ(status.error().message(), "the caller's own failure");
  EXPECT_EQ(count_items(*db, "ghost"), 0);
}

TEST_P(SqlConformanceTest, AFailedStatementDoomsTheTransactionEvenWhenIgnored) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(ok(write(*db, "INSERT INTO items (name) VALUES ($1)", {"taken"})));
  int runs = 0;
  auto status = db->transact([&](Connection& conn) -> Status {
    ++runs;
    (void)conn.exec("INSERT INTO items (name) VALUES ($1)", {"taken"});
    EXPECT_FALSE(conn.query("SELECT 1").has_value());  // later statements fail too
    (void)conn.exec("INSERT INTO items (name) VALUES ($1)", {"after"});
    return {};  // ignores the failures
  });
  EXPECT_TRUE(fails_with(status, ErrorCode::kAlreadyExists));
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(count_items(*db, "after"), 0);
}

TEST_P(SqlConformanceTest, ACommitIsVisibleToOtherConnectionsOnlyAfterItCommits) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  std::latch inserted(1);
  std::latch release(1);
  Status writer_status;
  std::thread writer([&] {
    writer_status = db->transact([&](Connection& conn) -> Status {
      auto result = conn.exec("INSERT INTO items (name) VALUES ($1)", {"pending"});
      inserted.count_down();
      release.wait();
      if (!result) return fail(result.error());
      return {};
    });
  });
  inserted.wait();
  EXPECT_EQ(count_items(*db, "pending"), 0);  // another connection, before the commit
  release.count_down();
  writer.join();
  ASSERT_TRUE(ok(writer_status));
  EXPECT_EQ(count_items(*db, "pending"), 1);
  auto other = open();  // and another Database on the same data
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(count_items(*other, "pending"), 1);
}

TEST_P(SqlConformanceTest, ConstraintViolationsMapToErrorCodes) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(ok(write(*db, "INSERT INTO items (id, name) VALUES ($1, $2)", {7, "parent"})));
  const std::string_view insert =
      "INSERT INTO items (id, name, parent, qty) VALUES ($1, $2, $3, $4)";
  EXPECT_TRUE(fails_with(write(*db, insert, {8, "parent", nullptr, 0}), ErrorCode::kAlreadyExists));
  EXPECT_TRUE(fails_with(write(*db, insert, {7, "other", nullptr, 0}), ErrorCode::kAlreadyExists));
  EXPECT_TRUE(fails_with(write(*db, insert, {9, "orphan", 999, 0}), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(fails_with(write(*db, insert, {10, "negative", 7, -1}), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(fails_with(write(*db, insert, {11, nullptr, 7, 0}), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(ok(write(*db, insert, {12, "child", 7, 1})));
  EXPECT_TRUE(fails_with(write(*db, "SELEKT 1"), ErrorCode::kInternal));
}

TEST_P(SqlConformanceTest, ReturningGivesTheAffectedRows) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(ok(db->transact([](Connection& conn) -> Status {
    auto inserted = conn.query(
        "INSERT INTO items (name, qty) VALUES ($1, $2), ($3, $4) RETURNING id, name, qty",
        {"a", 1, "b", 2});
    if (!inserted) return fail(inserted.error());
    EXPECT_EQ(inserted->size(), 2u);
    EXPECT_NE((*inserted)[0].int64(0), (*inserted)[1].int64(0));
    auto updated =
        conn.query_one("UPDATE items SET qty = qty + $1 WHERE name = $2 RETURNING qty", {10, "a"});
    if (!updated) return fail(updated.error());
    EXPECT_EQ((*updated)->int64(0), 11);
    auto deleted = conn.query("DELETE FROM items WHERE name = $1 RETURNING name", {"b"});
    if (!deleted) return fail(deleted.error());
    EXPECT_EQ(deleted->size(), 1u);
    return {};
  })));
}

TEST_P(SqlConformanceTest, OnConflictDoUpdateUpserts) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  constexpr std::string_view kUpsert =
      "INSERT INTO counters (name, value) VALUES ($1, $2) "
      "ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value "
      "RETURNING value";
  std::vector<std::int64_t> seen;
  for (const int add : {5, 3}) {
    ASSERT_TRUE(ok(db->transact([&](Connection& conn) -> Status {
      auto row = conn.query_one(kUpsert, {"hits", add});
      if (!row) return fail(row.error());
      seen.push_back((*row)->int64(0));
      return {};
    })));
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{5, 8}));
  ASSERT_TRUE(ok(db->transact([](Connection& conn) -> Status {
    auto skipped = conn.exec(
        "INSERT INTO counters (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        {"hits", 100});
    if (!skipped) return fail(skipped.error());
    EXPECT_EQ(*skipped, 0);
    return {};
  })));
}

TEST_P(SqlConformanceTest, ExecReturnsRowsAffected) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(ok(db->transact([](Connection& conn) -> Status {
    for (const char* name : {"a", "b", "c"}) {
      auto one = conn.exec("INSERT INTO items (name) VALUES ($1)", {name});
      if (!one) return fail(one.error());
      EXPECT_EQ(*one, 1);
    }
    auto all = conn.exec("UPDATE items SET qty = $1", {4});
    auto none = conn.exec("DELETE FROM items WHERE name = $1", {"zzz"});
    auto ddl = conn.exec("CREATE TABLE empty_one (a INTEGER)");
    if (!all || !none || !ddl) return fail(ErrorCode::kInternal, "exec failed");
    EXPECT_EQ(*all, 3);
    EXPECT_EQ(*none, 0);
    EXPECT_EQ(*ddl, 0);
    return {};
  })));
}

TEST_P(SqlConformanceTest, ConcurrentReadModifyWriteTransactionsLoseNoUpdate) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(ok(write(*db, "INSERT INTO counters (name, value) VALUES ($1, 0)", {"c"})));
  constexpr int kThreads = 4;
  constexpr int kIncrements = 200;
  std::atomic<int> runs{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        auto status = db->transact(
            [&](Connection& conn) -> Status {
              ++runs;
              auto row = conn.query_one("SELECT value FROM counters WHERE name = $1", {"c"});
              if (!row) return fail(row.error());
              auto updated = conn.exec("UPDATE counters SET value = $1 WHERE name = $2",
                                       {(*row)->int64(0) + 1, "c"});
              if (!updated) return fail(updated.error());
              return {};
            },
            TxOptions{.max_attempts = 100});
        if (!status) {
          ++failures;
          ADD_FAILURE() << status.error().message() << " [" << status.error().detail() << "]";
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto total = read(*db, "SELECT value FROM counters WHERE name = $1", {"c"});
  ASSERT_TRUE(ok(total));
  EXPECT_EQ(total->front().int64(0), kThreads * kIncrements);
  EXPECT_GE(runs.load(), kThreads * kIncrements);
  RecordProperty("runs", runs.load());
}

TEST_P(SqlConformanceTest, ReadOnlyTransactionsReadButCannotWrite) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(ok(write(*db, "INSERT INTO items (name) VALUES ($1)", {"r"})));
  EXPECT_EQ(count_items(*db, "r"), 1);
  auto status = db->transact(
      [](Connection& conn) -> Status {
        auto inserted = conn.exec("INSERT INTO items (name) VALUES ($1)", {"w"});
        if (!inserted) return fail(inserted.error());
        return {};
      },
      TxOptions{.read_only = true});
  EXPECT_TRUE(fails_with(status, ErrorCode::kInternal));
  EXPECT_EQ(count_items(*db, "w"), 0);
}

TEST_P(SqlConformanceTest, AnExhaustedPoolTimesOutWithUnavailable) {
  auto db = open_with_schema({.pool_size = 1, .acquire_timeout = 200ms});
  ASSERT_NE(db, nullptr);
  for (const bool read_only : {false, true}) {
    std::latch held(1);
    std::latch release(1);
    std::thread holder([&] {
      EXPECT_TRUE(ok(db->transact(
          [&](Connection&) -> Status {
            held.count_down();
            release.wait();
            return {};
          },
          TxOptions{.read_only = read_only})));
    });
    held.wait();
    const auto started = std::chrono::steady_clock::now();
    auto status =
        db->transact([](Connection&) -> Status { return {}; }, TxOptions{.read_only = read_only});
    const auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(fails_with(status, ErrorCode::kUnavailable)) << "read_only=" << read_only;
    EXPECT_GE(waited, 150ms);
    EXPECT_LT(waited, 2s);  // not retried: it waited once
    release.count_down();
    holder.join();
    EXPECT_TRUE(ok(
        db->transact([](Connection&) -> Status { return {}; }, TxOptions{.read_only = read_only})));
  }
}

TEST_P(SqlConformanceTest, PingAndQueryOne) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(ok(db->ping()));
  EXPECT_EQ(db->dialect(), GetParam() == Backend::kSqlite ? Dialect::kSqlite : Dialect::kPostgres);
  ASSERT_TRUE(ok(write(*db, "INSERT INTO items (name, qty) VALUES ($1, 1), ($2, 2)", {"a", "b"})));
  ASSERT_TRUE(ok(db->transact(
      [](Connection& conn) -> Status {
        auto none = conn.query_one("SELECT name FROM items WHERE name = $1", {"zzz"});
        auto first = conn.query_one("SELECT name FROM items ORDER BY qty DESC");
        if (!none || !first) return fail(ErrorCode::kInternal, "query_one failed");
        EXPECT_FALSE(none->has_value());
        EXPECT_EQ((*first)->text(0), "b");
        return {};
      },
      TxOptions{.read_only = true})));
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlConformanceTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         test::backend_name);

}  // namespace
}  // namespace common::sql
