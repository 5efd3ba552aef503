#include "common/http/api_error.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace common::http {
namespace {

std::string header(const Response& response, std::string_view name) {
  for (const auto& [n, v] : response.headers) {
    if (n == name) return v;
  }
  return {};
}

TEST(ApiErrorTest, WritesTheGenericEnvelopeWithTheTableName) {
  const auto response =
      api_error_response(Error(ErrorCode::kNotFound, "satellite edge-1 not found"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(header(response, "Content-Type"), "application/json");
  const auto body = nlohmann::json::parse(std::get<std::string>(response.body));
  EXPECT_EQ(body, nlohmann::json::parse(
                      R"({"error":{"code":"NOT_FOUND","message":"satellite edge-1 not found"}})"));
  // Every code uses its table name, whichever API family it was made for.
  const auto conflict = api_error_response(Error(ErrorCode::kConflict, ""));
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(nlohmann::json::parse(std::get<std::string>(conflict.body))["error"]["message"],
            "conflict");
}

TEST(ApiErrorTest, ServerSideDetailsGoToTheLogOnly) {
  const auto response =
      api_error_response(Error(ErrorCode::kInternal, "sqlite failed", "/var/lib/gc.db: locked"));
  EXPECT_EQ(response.status, 500);
  const auto body = nlohmann::json::parse(std::get<std::string>(response.body));
  EXPECT_EQ(body["error"]["code"], "INTERNAL");
  EXPECT_EQ(body["error"]["message"], "internal error");
  EXPECT_NE(response.diagnostic.find("/var/lib/gc.db"), std::string::npos);
  EXPECT_EQ(std::get<std::string>(response.body).find("sqlite"), std::string::npos);
}

TEST(ApiErrorTest, LoadSheddingSaysWhenToComeBackAndBadUtf8IsReplaced) {
  const auto response = api_error_response(Error(ErrorCode::kUnavailable, "draining"));
  EXPECT_EQ(header(response, "Retry-After"), "1");
  const auto bad = api_error_response(Error(ErrorCode::kInvalidArgument, "name \xff"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(nlohmann::json::accept(std::get<std::string>(bad.body)));
}

}  // namespace
}  // namespace common::http
