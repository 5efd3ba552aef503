// The `Link: <URL>; rel="next"` header (RFC 8288) with which a registry pages `_catalog`,
// `tags/list` and Harbor's lists. Pure function; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace common::oci {

// The target of the link whose `rel` names "next" in one Link header value (several links
// separated by commas, parameters in any order and case, quoted or bare); nullopt when
// there is none. The URL is returned as written: relative ("/v2/_catalog?last=b&n=2") or
// absolute.
[[nodiscard]] std::optional<std::string> next_link(std::string_view header);

// `link` made absolute against `base_url` ("https://host:port"): a path is appended to the
// base's scheme and authority; an absolute http(s) URL is kept only when its scheme, host
// and port are the base's (a registry never pages onto another host, and following one
// would send it our credentials); nullopt otherwise.
[[nodiscard]] std::optional<std::string> resolve_same_origin(std::string_view base_url,
                                                             std::string_view link);

}  // namespace common::oci
