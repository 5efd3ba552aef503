// FUZZ=ON tree only: the /v2/ handlers the route table (oci_route.cpp) points at, as stubs,
// so the table links without the registry service. The fuzz targets match routes only and
// never call a handler; one that did would get a 500.
#include "registry/http/handler_context.hpp"

namespace registry::http {

namespace {
HandlerResult stub() {
  co_return common::http::Response(500);
}
}  // namespace

#define REGISTRY_HTTP_STUB(name)                                                 \
  HandlerResult name(HandlerContext&, common::http::Request&, const OciRoute&) { \
    return stub();                                                               \
  }
REGISTRY_HTTP_STUB(handle_base)
REGISTRY_HTTP_STUB(handle_catalog)
REGISTRY_HTTP_STUB(handle_tags)
REGISTRY_HTTP_STUB(handle_manifest)
REGISTRY_HTTP_STUB(handle_blob)
REGISTRY_HTTP_STUB(handle_upload_start)
REGISTRY_HTTP_STUB(handle_upload)
REGISTRY_HTTP_STUB(handle_referrers)
#undef REGISTRY_HTTP_STUB

}  // namespace registry::http
