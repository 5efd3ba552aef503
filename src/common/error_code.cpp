#include "common/error_code.hpp"

#include <array>
#include <cstddef>

namespace common {
namespace {

struct Row {
  ErrorCode code;
  ErrorCodeInfo info;
};

// One row per enumerator, in enum order (checked at compile time below). A 4xx oci_name is
// always a distribution-spec code; 5xx bodies may name the failure (distribution: UNKNOWN).
constexpr std::array kTable = {
    Row{ErrorCode::kInvalidArgument,
        {"INVALID_ARGUMENT", "UNSUPPORTED", 400, "invalid argument"}},  // a bad query parameter
    Row{ErrorCode::kNotFound,
        {"NOT_FOUND", "UNSUPPORTED", 404, "not found"}},  // a /v2/ path naming no endpoint
    Row{ErrorCode::kAlreadyExists, {"ALREADY_EXISTS", "UNSUPPORTED", 409, "already exists"}},
    Row{ErrorCode::kConflict, {"CONFLICT", "UNSUPPORTED", 409, "conflict"}},
    Row{ErrorCode::kUnauthenticated,
        {"UNAUTHENTICATED", "UNAUTHORIZED", 401, "authentication required"}},
    Row{ErrorCode::kPermissionDenied,
        {"PERMISSION_DENIED", "DENIED", 403, "requested access to the resource is denied"}},
    Row{ErrorCode::kResourceExhausted,
        {"RESOURCE_EXHAUSTED", "INSUFFICIENT_STORAGE", 507, "insufficient storage"}},
    Row{ErrorCode::kUnavailable, {"UNAVAILABLE", "UNAVAILABLE", 503, "service unavailable"}},
    Row{ErrorCode::kInternal, {"INTERNAL", "UNKNOWN", 500, "internal error"}},
    Row{ErrorCode::kCorruption, {"CORRUPTION", "UNKNOWN", 500, "stored data is corrupt"}},
    Row{ErrorCode::kTooLarge, {"TOO_LARGE", "SIZE_INVALID", 413, "request body too large"}},
    // The client sent less body than it declared, then stalled.
    Row{ErrorCode::kTimeout, {"TIMEOUT", "SIZE_INVALID", 408, "request timed out"}},
    Row{ErrorCode::kBlobUnknown, {"BLOB_UNKNOWN", "BLOB_UNKNOWN", 404, "blob unknown to registry"}},
    Row{ErrorCode::kBlobUploadInvalid,
        {"BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_INVALID", 400, "blob upload invalid"}},
    Row{ErrorCode::kBlobUploadUnknown,
        {"BLOB_UPLOAD_UNKNOWN", "BLOB_UPLOAD_UNKNOWN", 404, "blob upload unknown to registry"}},
    Row{ErrorCode::kDigestInvalid,
        {"DIGEST_INVALID", "DIGEST_INVALID", 400,
         "provided digest did not match uploaded content"}},
    Row{ErrorCode::kManifestBlobUnknown,
        {"MANIFEST_BLOB_UNKNOWN", "MANIFEST_BLOB_UNKNOWN", 404,
         "manifest references a manifest or blob unknown to registry"}},
    Row{ErrorCode::kManifestInvalid,
        {"MANIFEST_INVALID", "MANIFEST_INVALID", 400, "manifest invalid"}},
    Row{ErrorCode::kManifestUnknown,
        {"MANIFEST_UNKNOWN", "MANIFEST_UNKNOWN", 404, "manifest unknown to registry"}},
    Row{ErrorCode::kNameInvalid, {"NAME_INVALID", "NAME_INVALID", 400, "invalid repository name"}},
    Row{ErrorCode::kNameUnknown,
        {"NAME_UNKNOWN", "NAME_UNKNOWN", 404, "repository name not known to registry"}},
    Row{ErrorCode::kSizeInvalid,
        {"SIZE_INVALID", "SIZE_INVALID", 400, "provided length did not match content length"}},
    Row{ErrorCode::kUnauthorized, {"UNAUTHORIZED", "UNAUTHORIZED", 401, "authentication required"}},
    Row{ErrorCode::kDenied,
        {"DENIED", "DENIED", 403, "requested access to the resource is denied"}},
    Row{ErrorCode::kUnsupported,
        {"UNSUPPORTED", "UNSUPPORTED", 405, "the operation is unsupported"}},
    Row{ErrorCode::kTooManyRequests,
        {"TOOMANYREQUESTS", "TOOMANYREQUESTS", 429, "too many requests"}},
    Row{ErrorCode::kRangeInvalid,
        {"RANGE_INVALID", "BLOB_UPLOAD_INVALID", 416, "requested range not satisfiable"}},
    Row{ErrorCode::kGone, {"GONE", "UNSUPPORTED", 410, "gone"}},
};

constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < kTable.size(); ++i) {
    if (static_cast<std::size_t>(kTable[i].code) != i) return false;
  }
  return kTable.size() == static_cast<std::size_t>(ErrorCode::kGone) + 1;
}
static_assert(in_enum_order(), "kTable needs one row per ErrorCode, in enum order");

}  // namespace

const ErrorCodeInfo& info(ErrorCode code) noexcept {
  return kTable[static_cast<std::size_t>(code)].info;
}

}  // namespace common
