#include "groundcontrol/model/sort_order.hpp"

#include <gtest/gtest.h>

#include <array>

namespace groundcontrol::model {
namespace {

constexpr std::array<std::string_view, 2> kFields = {"metadata.name", "status.sync"};

TEST(SortOrderTest, EmptyIsByNameAscending) {
  auto order = SortOrder::parse("", kFields);
  ASSERT_TRUE(order);
  EXPECT_TRUE(order->by_name_ascending());
  EXPECT_EQ(order->text(), "metadata.name");
}

TEST(SortOrderTest, ALeadingDashSortsDescendingAndTiesGoByNameTheSameWay) {
  auto order = SortOrder::parse("-status.sync", kFields);
  ASSERT_TRUE(order);
  EXPECT_FALSE(order->by_name_ascending());
  EXPECT_EQ(order->field(), "status.sync");
  EXPECT_TRUE(order->before("syncing", "a", "failed", "a"));
  EXPECT_TRUE(order->before("failed", "b", "failed", "a"));
  EXPECT_FALSE(order->before("failed", "a", "failed", "a"));
  auto ascending = SortOrder::parse("status.sync", kFields);
  ASSERT_TRUE(ascending);
  EXPECT_TRUE(ascending->before("failed", "a", "failed", "b"));
  EXPECT_TRUE(ascending->before("", "z", "failed", "a"));  // unset sorts first
}

TEST(SortOrderTest, AFieldTheListDoesNotSortByIsRefusedByName) {
  for (const auto* text : {"status.phase", "-", "metadata.name ", "--metadata.name"}) {
    auto order = SortOrder::parse(text, kFields);
    ASSERT_FALSE(order) << text;
    EXPECT_EQ(order.error().code(), common::ErrorCode::kInvalidArgument);
    EXPECT_TRUE(order.error().message().starts_with("sortBy: ")) << order.error().message();
  }
}

TEST(SortOrderTest, ATokenResumesOnlyTheOrderThatMadeIt) {
  auto order = SortOrder::parse("-status.sync", kFields);
  auto other = SortOrder::parse("status.sync", kFields);
  ASSERT_TRUE(order && other);
  const auto token = encode_continue_token(*order, {"in-sync", "sat-7"});
  EXPECT_TRUE(token.starts_with("s."));
  auto back = decode_continue_token(*order, token);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->key, "in-sync");
  EXPECT_EQ(back->name, "sat-7");
  EXPECT_FALSE(decode_continue_token(*other, token));
  for (const auto* bad : {"sat-7", "s.", "s.!!", "s.bWV0YWRhdGEubmFtZQ"}) {
    auto refused = decode_continue_token(*order, bad);
    ASSERT_FALSE(refused) << bad;
    EXPECT_TRUE(refused.error().message().starts_with("continue: ")) << bad;
  }
}

}  // namespace
}  // namespace groundcontrol::model
