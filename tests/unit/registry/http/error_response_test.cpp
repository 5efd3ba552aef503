#include "registry/http/error_response.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace registry::http {
namespace {

nlohmann::json body_of(const common::http::Response& response) {
  return nlohmann::json::parse(std::get<std::string>(response.body));
}

std::string header(const common::http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

TEST(ErrorResponseTest, SpecCodesStatusesAndEnvelope) {
  struct Case {
    common::ErrorCode code;
    int status;
    const char* wire;
  };
  for (const auto& c : {Case{common::ErrorCode::kBlobUnknown, 404, "BLOB_UNKNOWN"},
                        Case{common::ErrorCode::kBlobUploadUnknown, 404, "BLOB_UPLOAD_UNKNOWN"},
                        Case{common::ErrorCode::kDigestInvalid, 400, "DIGEST_INVALID"},
                        Case{common::ErrorCode::kManifestInvalid, 400, "MANIFEST_INVALID"},
                        Case{common::ErrorCode::kManifestUnknown, 404, "MANIFEST_UNKNOWN"},
                        Case{common::ErrorCode::kManifestBlobUnknown, 404, "MANIFEST_BLOB_UNKNOWN"},
                        Case{common::ErrorCode::kNameInvalid, 400, "NAME_INVALID"},
                        Case{common::ErrorCode::kNameUnknown, 404, "NAME_UNKNOWN"},
                        Case{common::ErrorCode::kSizeInvalid, 400, "SIZE_INVALID"},
                        Case{common::ErrorCode::kUnauthorized, 401, "UNAUTHORIZED"},
                        Case{common::ErrorCode::kDenied, 403, "DENIED"},
                        Case{common::ErrorCode::kUnsupported, 405, "UNSUPPORTED"},
                        Case{common::ErrorCode::kTooManyRequests, 429, "TOOMANYREQUESTS"},
                        Case{common::ErrorCode::kRangeInvalid, 416, "BLOB_UPLOAD_INVALID"},
                        Case{common::ErrorCode::kTooLarge, 413, "SIZE_INVALID"}}) {
    const auto response = error_response(common::Error(c.code, "why", "which"));
    EXPECT_EQ(response.status, c.status) << c.wire;
    EXPECT_EQ(header(response, "Content-Type"), "application/json");
    const auto body = body_of(response);
    ASSERT_EQ(body["errors"].size(), 1u);
    EXPECT_EQ(body["errors"][0]["code"], c.wire);
    EXPECT_EQ(body["errors"][0]["message"], "why");
    EXPECT_EQ(body["errors"][0]["detail"], "which");
  }
}

TEST(ErrorResponseTest, ServerFailuresKeepTheirDetailOutOfTheResponse) {
  const auto response = error_response(common::Error(common::ErrorCode::kResourceExhausted,
                                                     "write failed: No space left on device",
                                                     "/var/lib/satellite/uploads/abc/data"));
  EXPECT_EQ(response.status, 507);
  const auto text = std::get<std::string>(response.body);
  EXPECT_EQ(text.find("/var/lib"), std::string::npos);
  EXPECT_NE(response.diagnostic.find("/var/lib/satellite"), std::string::npos);
  const auto internal =
      error_response(common::Error(common::ErrorCode::kInternal, "boom", "secret path"));
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(std::get<std::string>(internal.body).find("secret"), std::string::npos);
}

TEST(ErrorResponseTest, NonUtf8DetailDoesNotThrow) {
  const auto response =
      error_response(common::Error(common::ErrorCode::kNameInvalid, "bad", "\xff\xfe"));
  EXPECT_EQ(response.status, 400);
  EXPECT_NO_THROW(body_of(response));
}

}  // namespace
}  // namespace registry::http
