#include "registry/http/oci_route.hpp"

#include <array>

#include "registry/http/handler_context.hpp"

namespace registry::http {

namespace {

using common::http::Method;

constexpr common::http::MethodSet kRead = {Method::kGet, Method::kHead};

// A name may itself contain "manifests" or "blobs" as components: the fixed suffix after
// {name...} is matched from the end of the path, and "uploads" (a literal) outranks {digest}.
constexpr std::array kEndpoints = {
    OciEndpoint{kRead, "/v2", "base", &handle_base},
    OciEndpoint{kRead, "/v2/", "base", &handle_base},
    OciEndpoint{kRead, "/v2/_catalog", "catalog", &handle_catalog},
    OciEndpoint{kRead, "/v2/{name...}/tags/list", "tags", &handle_tags},
    OciEndpoint{{Method::kGet, Method::kHead, Method::kPut, Method::kDelete},
                "/v2/{name...}/manifests/{reference}",
                "manifest",
                &handle_manifest},
    OciEndpoint{{Method::kGet, Method::kHead, Method::kDelete},
                "/v2/{name...}/blobs/{digest}",
                "blob",
                &handle_blob},
    OciEndpoint{
        {Method::kPost}, "/v2/{name...}/blobs/uploads/", "upload_start", &handle_upload_start},
    OciEndpoint{
        {Method::kPost}, "/v2/{name...}/blobs/uploads", "upload_start", &handle_upload_start},
    OciEndpoint{{Method::kGet, Method::kPatch, Method::kPut, Method::kDelete},
                "/v2/{name...}/blobs/uploads/{id}",
                "upload",
                &handle_upload},
    OciEndpoint{kRead, "/v2/{name...}/referrers/{digest}", "referrers", &handle_referrers},
};

}  // namespace

std::span<const OciEndpoint> oci_endpoints() noexcept {
  return kEndpoints;
}

OciRoute oci_route(const common::http::RouteMatch& match) {
  OciRoute route;
  for (const auto& param : match.params()) {
    (param.name == "name" ? route.name : route.reference).assign(param.value);
  }
  return route;
}

}  // namespace registry::http
