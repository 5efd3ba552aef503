// OciRoute: a /v2/ request path split into what it addresses (distribution-spec endpoints
// end-1 … end-13). The path is percent-decoded first, so an encoded '/' or '.' is judged by
// the same name grammar as a plain one. Names and references are returned unvalidated in
// form; RegistryService validates them. Pure function.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace registry::http {

enum class OciEndpoint {
  kBase,       // /v2/
  kCatalog,    // /v2/_catalog
  kTags,       // /v2/<name>/tags/list
  kManifest,   // /v2/<name>/manifests/<reference>
  kBlob,       // /v2/<name>/blobs/<digest>
  kUploads,    // /v2/<name>/blobs/uploads/
  kUpload,     // /v2/<name>/blobs/uploads/<id>
  kReferrers,  // /v2/<name>/referrers/<digest>
};

struct OciRoute {
  OciEndpoint endpoint = OciEndpoint::kBase;
  std::string name;       // repository
  std::string reference;  // tag, digest or upload id, as the endpoint says
};

// Parses a raw request path. kNotFound when it addresses no endpoint; kNameInvalid for a
// malformed percent escape.
[[nodiscard]] common::Result<OciRoute> parse_oci_route(std::string_view raw_path);

}  // namespace registry::http
