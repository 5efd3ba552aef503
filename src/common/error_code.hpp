// ErrorCode: every failure kind a component can report, and the one table that maps each
// kind to its wire name, HTTP status and default message (like distribution's errcode
// registry). Generic kinds serve all components; the OCI kinds are the distribution-spec's.
// Thread-safety: the table is immutable.
#pragma once

#include <string_view>

namespace common {

enum class ErrorCode {
  // Generic kinds.
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kConflict,
  kUnauthenticated,
  kPermissionDenied,
  kResourceExhausted,  // disk full, quota, too many connections
  kUnavailable,
  kInternal,
  kCorruption,
  kTooLarge,
  kTimeout,
  // OCI distribution-spec kinds.
  kBlobUnknown,
  kBlobUploadInvalid,
  kBlobUploadUnknown,
  kDigestInvalid,
  kManifestBlobUnknown,
  kManifestInvalid,
  kManifestUnknown,
  kNameInvalid,
  kNameUnknown,
  kSizeInvalid,
  kUnauthorized,
  kDenied,
  kUnsupported,
  kTooManyRequests,
  kRangeInvalid,
  // A resumable read (a watch) from a point the server no longer keeps: start again.
  kGone,
};

struct ErrorCodeInfo {
  std::string_view name;      // unique wire name, e.g. "BLOB_UNKNOWN", "RESOURCE_EXHAUSTED"
  std::string_view oci_name;  // the distribution-spec code a /v2/ error body carries: the spec
                              // allows only its own codes, so generic kinds take the nearest
  int http_status;            // status the HTTP edge answers with
  std::string_view message;   // default human-readable message
};

// Returns the table row for `code`; every enumerator has one.
[[nodiscard]] const ErrorCodeInfo& info(ErrorCode code) noexcept;

}  // namespace common
