#include "groundcontrol/api/merge_patch_type.hpp"

namespace groundcontrol::api {

common::Status check_merge_patch_type(const common::http::Request& request) {
  const auto type = request.header("Content-Type");
  if (type.starts_with("application/merge-patch+json") || type.starts_with("application/json"))
    return {};
  return common::fail(common::ErrorCode::kUnsupported,
                      "PATCH takes a JSON merge patch (application/merge-patch+json)");
}

}  // namespace groundcontrol::api
