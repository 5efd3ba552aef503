// JsonRows on every backend: a batch passed as one parameter reads back intact and in
// order, joins in UPDATE … FROM with RETURNING, and an empty batch matches nothing.
#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/sql/json_rows.hpp"
#include "sql_conformance.hpp"

namespace common::sql {
namespace {

using test::ok;
using test::read;
using test::SqlConformanceTest;

Status insert_batch(Database& db, const JsonRows& rows) {
  return db.transact([&](Connection& conn) -> Status {
    auto inserted = conn.exec(
        "INSERT INTO items (name, body, n) SELECT j.item, j.text, "
        "CAST(j.num AS BIGINT) FROM " +
            rows.table(conn.dialect(), 1) + " ORDER BY j.ord",
        {rows.param()});
    if (!inserted) return fail(inserted.error());
    if (*inserted != static_cast<std::int64_t>(rows.size()))
      return fail(ErrorCode::kInternal, "inserted " + std::to_string(*inserted));
    return {};
  });
}

TEST_P(SqlConformanceTest, JsonRowsInsertAWholeBatchIntactAndInOrder) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  const std::string awkward = "quote \" backslash \\ tab \t newline \n bell \x07 grüße 🚢 '$1";
  JsonRows rows({"item", "text", "num"});
  rows.add({"c", awkward, "-9223372036854775808"});
  rows.add({"a", "", "0"});
  rows.add({"b", "plain", "42"});
  ASSERT_TRUE(ok(insert_batch(*db, rows)));

  auto read_back = read(*db, "SELECT name, body, n FROM items ORDER BY id");
  ASSERT_TRUE(ok(read_back));
  ASSERT_EQ(read_back->size(), 3u);
  EXPECT_EQ((*read_back)[0].text(0), "c");  // the batch's order, not the names'
  EXPECT_EQ((*read_back)[0].text(1), awkward);
  EXPECT_EQ((*read_back)[0].int64(2), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ((*read_back)[1].text(0), "a");
  EXPECT_EQ((*read_back)[1].text(1), "");
  EXPECT_EQ((*read_back)[2].text(0), "b");
  EXPECT_EQ((*read_back)[2].int64(2), 42);
}

TEST_P(SqlConformanceTest, JsonRowsJoinAnUpdateThatReturnsTheRowsItChanged) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  JsonRows items({"item", "text", "num"});
  for (int i = 0; i < 1000; ++i) items.add({"item-" + std::to_string(i), "old", "0"});
  ASSERT_TRUE(ok(insert_batch(*db, items)));

  JsonRows changes({"target", "value"});
  changes.add({"item-7", "seven"});
  changes.add({"item-999", "last"});
  changes.add({"no-such-item", "ignored"});
  std::vector<Row> returned;
  ASSERT_TRUE(ok(db->transact([&](Connection& conn) -> Status {
    auto updated =
        conn.query("UPDATE items SET body = j.value FROM " + changes.table(conn.dialect(), 1) +
                       " WHERE name = j.target RETURNING name, body",
                   {changes.param()});
    if (!updated) return fail(updated.error());
    returned = std::move(*updated);
    return {};
  })));
  ASSERT_EQ(returned.size(), 2u);
  std::set<std::pair<std::string, std::string>> got;
  for (const auto& r : returned) got.emplace(r.text(0), r.text(1));
  EXPECT_EQ(got, (std::set<std::pair<std::string, std::string>>{{"item-7", "seven"},
                                                                {"item-999", "last"}}));
  auto olds = read(*db, "SELECT COUNT(*) FROM items WHERE body = 'old'");
  ASSERT_TRUE(ok(olds));
  EXPECT_EQ(olds->front().int64(0), 998);
}

TEST_P(SqlConformanceTest, JsonRowsEmptyBatchMatchesNothing) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  JsonRows items({"item", "text", "num"});
  items.add({"kept", "x", "1"});
  ASSERT_TRUE(ok(insert_batch(*db, items)));
  const JsonRows none({"target"});
  EXPECT_TRUE(none.empty());
  ASSERT_TRUE(ok(db->transact([&](Connection& conn) -> Status {
    auto deleted = conn.exec("DELETE FROM items WHERE name IN (SELECT j.target FROM " +
                                 none.table(conn.dialect(), 1) + ")",
                             {none.param()});
    if (!deleted) return fail(deleted.error());
    return *deleted == 0 ? Status{} : fail(ErrorCode::kInternal, "deleted rows");
  })));
  EXPECT_EQ(test::count_items(*db, "kept"), 1);
}

}  // namespace
}  // namespace common::sql
