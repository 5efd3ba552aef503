#include "registry/http/oci_route.hpp"

#include <vector>

#include "common/http/request.hpp"

namespace registry::http {

using common::ErrorCode;
using common::fail;

namespace {

std::string join(const std::vector<std::string_view>& parts, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i) out.push_back('/');
    out.append(parts[i]);
  }
  return out;
}

}  // namespace

common::Result<OciRoute> parse_oci_route(std::string_view raw_path) {
  auto decoded = common::http::percent_decode(raw_path);
  if (!decoded) return fail(ErrorCode::kNameInvalid, "malformed percent-encoding in path");
  std::string_view path = *decoded;
  if (path == "/v2" || path == "/v2/") return OciRoute{OciEndpoint::kBase, {}, {}};
  if (!path.starts_with("/v2/")) return fail(ErrorCode::kNotFound, "not found");
  path.remove_prefix(4);
  if (path == "_catalog") return OciRoute{OciEndpoint::kCatalog, {}, {}};

  std::vector<std::string_view> s;
  for (std::size_t start = 0;;) {
    const auto slash = path.find('/', start);
    s.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  const std::size_t n = s.size();
  // Endpoints are told apart by their trailing segments; a name may itself contain
  // "manifests" or "blobs" as components, so match from the end.
  if (n >= 3 && s[n - 2] == "tags" && s[n - 1] == "list")
    return OciRoute{OciEndpoint::kTags, join(s, n - 2), {}};
  if (n >= 4 && s[n - 3] == "blobs" && s[n - 2] == "uploads") {
    if (s[n - 1].empty()) return OciRoute{OciEndpoint::kUploads, join(s, n - 3), {}};
    return OciRoute{OciEndpoint::kUpload, join(s, n - 3), std::string(s[n - 1])};
  }
  if (n >= 3 && s[n - 2] == "blobs" && s[n - 1] == "uploads")
    return OciRoute{OciEndpoint::kUploads, join(s, n - 2), {}};
  if (n >= 2 && s[n - 2] == "manifests")
    return OciRoute{OciEndpoint::kManifest, join(s, n - 2), std::string(s[n - 1])};
  if (n >= 2 && s[n - 2] == "blobs")
    return OciRoute{OciEndpoint::kBlob, join(s, n - 2), std::string(s[n - 1])};
  if (n >= 2 && s[n - 2] == "referrers")
    return OciRoute{OciEndpoint::kReferrers, join(s, n - 2), std::string(s[n - 1])};
  return fail(ErrorCode::kNotFound, "not found");
}

}  // namespace registry::http
