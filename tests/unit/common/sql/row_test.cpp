#include "common/sql/row.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "common/sql/param.hpp"

namespace common::sql {
namespace {

TEST(ParamTest, BuildsFromLiteralsAndOptionals) {
  const std::vector<Param> params = {nullptr,
                                     5,
                                     std::int64_t{-7},
                                     std::uint32_t{9},
                                     true,
                                     "text",
                                     std::string("owned"),
                                     std::string_view("view"),
                                     Blob{std::string("\0b", 2)},
                                     std::optional<int>(),
                                     std::optional<std::string>("some")};
  EXPECT_TRUE(params[0].is_null());
  EXPECT_EQ(std::get<std::int64_t>(params[1].value()), 5);
  EXPECT_EQ(std::get<std::int64_t>(params[2].value()), -7);
  EXPECT_EQ(std::get<std::int64_t>(params[3].value()), 9);
  EXPECT_EQ(std::get<std::int64_t>(params[4].value()), 1);
  EXPECT_EQ(std::get<std::string>(params[5].value()), "text");
  EXPECT_EQ(std::get<std::string>(params[6].value()), "owned");
  EXPECT_EQ(std::get<std::string>(params[7].value()), "view");
  EXPECT_EQ(std::get<Blob>(params[8].value()).bytes, std::string("\0b", 2));
  EXPECT_TRUE(params[9].is_null());
  EXPECT_EQ(std::get<std::string>(params[10].value()), "some");
}

TEST(RowTest, ConvertsWhereTheResultIsExact) {
  const Row row(
      {std::int64_t{42}, std::string("-17"), 3.0, 2.5, std::string("abc"), Blob{"raw"}, nullptr});
  EXPECT_EQ(row.size(), 7u);
  EXPECT_EQ(row.text(0), "42");
  EXPECT_EQ(row.int64(1), -17);
  EXPECT_EQ(row.int64(2), 3);
  EXPECT_EQ(row.real(0), 42.0);
  EXPECT_EQ(row.real(1), -17.0);
  EXPECT_EQ(row.text(3), "2.5");
  EXPECT_EQ(row.blob(4), "abc");
  EXPECT_EQ(row.text(5), "raw");
  EXPECT_TRUE(row.is_null(6));
  EXPECT_EQ(row.optional_int64(6), std::nullopt);
  EXPECT_EQ(row.optional_text(0), "42");
}

TEST(RowDeathTest, MisreadingAColumnIsABugThatAborts) {
  const Row row({nullptr, std::string("abc"), 2.5});
  EXPECT_DEATH((void)row.int64(0), "column 0: NULL read as int64");
  EXPECT_DEATH((void)row.int64(1), "column 1: text is not a 64-bit integer");
  EXPECT_DEATH((void)row.int64(2), "column 2: real is not an exact 64-bit integer");
  EXPECT_DEATH((void)row.text(3), "column 3: past the end");
}

}  // namespace
}  // namespace common::sql
