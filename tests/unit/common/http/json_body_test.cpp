#include "common/http/json_body.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstring>
#include <nlohmann/json.hpp>

namespace common::http {
namespace {

// A body already in memory, handed out in small pieces.
class StringBody final : public BodyReader {
 public:
  StringBody(std::string text, bool declare) : text_(std::move(text)), declare_(declare) {}
  boost::asio::awaitable<Result<std::size_t>> read_some(std::span<char> buffer) override {
    const auto n = std::min({buffer.size(), text_.size() - offset_, std::size_t{7}});
    std::memcpy(buffer.data(), text_.data() + offset_, n);
    offset_ += n;
    co_return n;
  }
  std::optional<std::uint64_t> content_length() const override {
    if (!declare_) return std::nullopt;
    return text_.size();
  }
  bool done() const override { return offset_ == text_.size(); }

 private:
  std::string text_;
  bool declare_;
  std::size_t offset_ = 0;
};

Result<nlohmann::json> read(std::string text, std::size_t limit, bool declare = true) {
  StringBody body(std::move(text), declare);
  Request request;
  request.body = &body;
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, read_json_body(request, limit), boost::asio::use_future);
  io.run();
  return future.get();
}

TEST(JsonBodyTest, ParsesADocument) {
  auto json = read(R"({"name":"edge-1","labels":{"site":"eu"}})", 1024);
  ASSERT_TRUE(json.has_value()) << json.error().message();
  EXPECT_EQ((*json)["name"], "edge-1");
  EXPECT_EQ((*json)["labels"]["site"], "eu");
}

TEST(JsonBodyTest, RefusesABodyOverTheLimit) {
  for (const bool declared : {true, false}) {
    auto json = read(std::string(100, ' ') + "{}", 50, declared);
    ASSERT_FALSE(json.has_value());
    EXPECT_EQ(json.error().code(), ErrorCode::kTooLarge);
    EXPECT_NE(json.error().message().find("limit of 50 bytes"), std::string::npos)
        << json.error().message();
  }
}

TEST(JsonBodyTest, NamesWhatIsWrongWithInvalidJson) {
  auto json = read(R"({"name": })", 1024);
  ASSERT_FALSE(json.has_value());
  EXPECT_EQ(json.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(json.error().message().find("not valid JSON (at byte 10)"), std::string::npos)
      << json.error().message();
  auto empty = read("", 1024);
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(empty.error().message().find("empty"), std::string::npos);
  auto trailing = parse_json("{} {}");
  ASSERT_FALSE(trailing.has_value());
  EXPECT_EQ(trailing.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace common::http
