#include "groundcontrol/api/serving_certificate_handlers.hpp"

#include <nlohmann/json.hpp>

#include "common/http/offload.hpp"
#include "groundcontrol/api/csr_body.hpp"
#include "groundcontrol/api/json_response.hpp"

namespace groundcontrol::api {
namespace {

using common::http::Method;
using common::http::MethodSet;
using common::http::Request;
using common::http::Response;
using common::http::RouteMatch;

}  // namespace

std::vector<common::http::Route> ServingCertificateHandlers::satellite_routes() {
  return {{MethodSet{Method::kPost}, "/satellite/v1/servingcertificate",
           "satellite_servingcertificate",
           [this](Request& r, const RouteMatch&) { return issue(r); }}};
}

boost::asio::awaitable<Response> ServingCertificateHandlers::issue(Request& request) {
  auto satellite = identity_.satellite_of(request);
  if (!satellite) co_return error_response(satellite.error());
  auto csr = co_await read_csr_body(request);
  if (!csr) co_return error_response(csr.error());
  auto issued =
      co_await common::http::offload(pool_, [&] { return certificates_.issue(*satellite, *csr); });
  if (!issued) co_return error_response(issued.error());
  co_return json_response(200, {{"satellite", issued->satellite},
                                {"certificate", issued->certificate_pem},
                                {"caBundle", issued->ca_bundle_pem},
                                {"serial", issued->serial},
                                {"notAfter", issued->not_after},
                                {"names", issued->names}});
}

}  // namespace groundcontrol::api
