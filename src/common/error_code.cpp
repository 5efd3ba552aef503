#include "common/error_code.hpp"

#include <array>
#include <cstddef>

namespace common {
namespace {

struct Row {
  ErrorCode code;
  ErrorCodeInfo info;
};

// Order must follow the enum; the static_assert below checks the count and
// info() checks the position.
constexpr std::array kTable = {
    Row{ErrorCode::kInvalidArgument, {"INVALID_ARGUMENT", 400, "invalid argument"}},
    Row{ErrorCode::kNotFound, {"NOT_FOUND", 404, "not found"}},
    Row{ErrorCode::kAlreadyExists, {"ALREADY_EXISTS", 409, "already exists"}},
    Row{ErrorCode::kConflict, {"CONFLICT", 409, "conflict"}},
    Row{ErrorCode::kUnauthenticated, {"UNAUTHENTICATED", 401, "authentication required"}},
    Row{ErrorCode::kPermissionDenied,
        {"DENIED", 403, "requested access to the resource is denied"}},
    Row{ErrorCode::kResourceExhausted, {"INSUFFICIENT_STORAGE", 507, "insufficient storage"}},
    Row{ErrorCode::kUnavailable, {"UNAVAILABLE", 503, "service unavailable"}},
    Row{ErrorCode::kInternal, {"UNKNOWN", 500, "internal error"}},
    Row{ErrorCode::kCorruption, {"UNKNOWN", 500, "stored data is corrupt"}},
    Row{ErrorCode::kTooLarge, {"SIZE_INVALID", 413, "request body too large"}},
    Row{ErrorCode::kTimeout, {"TIMEOUT", 408, "request timed out"}},
    Row{ErrorCode::kBlobUnknown, {"BLOB_UNKNOWN", 404, "blob unknown to registry"}},
    Row{ErrorCode::kBlobUploadInvalid, {"BLOB_UPLOAD_INVALID", 400, "blob upload invalid"}},
    Row{ErrorCode::kBlobUploadUnknown,
        {"BLOB_UPLOAD_UNKNOWN", 404, "blob upload unknown to registry"}},
    Row{ErrorCode::kDigestInvalid,
        {"DIGEST_INVALID", 400, "provided digest did not match uploaded content"}},
    Row{ErrorCode::kManifestBlobUnknown,
        {"MANIFEST_BLOB_UNKNOWN", 404,
         "manifest references a manifest or blob unknown to registry"}},
    Row{ErrorCode::kManifestInvalid, {"MANIFEST_INVALID", 400, "manifest invalid"}},
    Row{ErrorCode::kManifestUnknown, {"MANIFEST_UNKNOWN", 404, "manifest unknown to registry"}},
    Row{ErrorCode::kNameInvalid, {"NAME_INVALID", 400, "invalid repository name"}},
    Row{ErrorCode::kNameUnknown, {"NAME_UNKNOWN", 404, "repository name not known to registry"}},
    Row{ErrorCode::kSizeInvalid,
        {"SIZE_INVALID", 400, "provided length did not match content length"}},
    Row{ErrorCode::kUnauthorized, {"UNAUTHORIZED", 401, "authentication required"}},
    Row{ErrorCode::kDenied, {"DENIED", 403, "requested access to the resource is denied"}},
    Row{ErrorCode::kUnsupported, {"UNSUPPORTED", 405, "the operation is unsupported"}},
    Row{ErrorCode::kTooManyRequests, {"TOOMANYREQUESTS", 429, "too many requests"}},
    Row{ErrorCode::kRangeInvalid, {"BLOB_UPLOAD_INVALID", 416, "requested range not satisfiable"}},
};
static_assert(kTable.size() == static_cast<std::size_t>(ErrorCode::kRangeInvalid) + 1);

}  // namespace

const ErrorCodeInfo& info(ErrorCode code) noexcept {
  const auto index = static_cast<std::size_t>(code);
  if (index >= kTable.size() || kTable[index].code != code) return kTable[8].info;  // kInternal
  return kTable[index].info;
}

}  // namespace common
