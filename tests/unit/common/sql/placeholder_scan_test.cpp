#include "common/sql/detail/placeholder_scan.hpp"

#include <gtest/gtest.h>

namespace common::sql::detail {
namespace {

TEST(PlaceholderScanTest, RewritesOnlyPlaceholdersOutsideLiteralsIdentifiersAndComments) {
  EXPECT_EQ(rewrite_placeholders_for_sqlite(
                "SELECT $1, '$2', 'it''s $3', \"$4\", \"a\"\"$5\", `$6`, [$7], a$8, x.$9 -- $10\n"
                " /* $11 */ $12"),
            "SELECT ?1, '$2', 'it''s $3', \"$4\", \"a\"\"$5\", `$6`, [$7], a$8, x.?9 -- $10\n"
            " /* $11 */ ?12");
  EXPECT_EQ(rewrite_placeholders_for_sqlite("VALUES($1,$2)"), "VALUES(?1,?2)");
  EXPECT_EQ(rewrite_placeholders_for_sqlite("SELECT '$1"), "SELECT '$1");  // unterminated
  EXPECT_EQ(rewrite_placeholders_for_sqlite("SELECT $name, $"), "SELECT $name, $");
}

TEST(PlaceholderScanTest, CountsTheHighestPlaceholder) {
  EXPECT_EQ(highest_placeholder("SELECT 1", Dialect::kPostgres), 0);
  EXPECT_EQ(highest_placeholder("SELECT $2, $1, $2", Dialect::kSqlite), 2);
  EXPECT_EQ(highest_placeholder("SELECT $12", Dialect::kPostgres), 12);
  EXPECT_EQ(highest_placeholder("SELECT $99999999999", Dialect::kPostgres), 1'000'000);
}

TEST(PlaceholderScanTest, KnowsPostgresLexicalRules) {
  // E'' takes backslash escapes; dollar quotes; nested block comments.
  EXPECT_EQ(highest_placeholder("SELECT E'\\' $9', $1", Dialect::kPostgres), 1);
  EXPECT_EQ(highest_placeholder("SELECT $tag$ $9 $tag$, $$ $8 $$, $2", Dialect::kPostgres), 2);
  EXPECT_EQ(highest_placeholder("SELECT /* /* $9 */ $8 */ $3", Dialect::kPostgres), 3);
  // In SQLite a block comment does not nest: $8 is outside it.
  EXPECT_EQ(highest_placeholder("SELECT /* /* $9 */ $8 */ $3", Dialect::kSqlite), 8);
  // A plain '' literal keeps backslashes literal (standard_conforming_strings).
  EXPECT_EQ(highest_placeholder("SELECT '\\', $4", Dialect::kPostgres), 4);
  EXPECT_EQ(highest_placeholder("SELECT type'x', $1", Dialect::kPostgres), 1);
}

}  // namespace
}  // namespace common::sql::detail
