#include "groundcontrol/api/enrollment_request_handlers.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/http/json_body.hpp"
#include "common/http/offload.hpp"
#include "groundcontrol/api/json_response.hpp"
#include "groundcontrol/api/resource_json.hpp"
#include "groundcontrol/model/enrollment_request.hpp"
#include "groundcontrol/model/kind.hpp"
#include "groundcontrol/model/names.hpp"

namespace groundcontrol::api {
namespace {

using common::http::Method;
using common::http::MethodSet;
using common::http::Request;
using common::http::Response;
using common::http::RouteMatch;

// A request from a device that holds no credential yet: small (a CSR is at most 16 KiB).
constexpr std::size_t kMaxSubmissionBytes = 64 * 1024;
// An admin's decision: approved, a few labels, a reason.
constexpr std::size_t kMaxDecisionBytes = 64 * 1024;

}  // namespace

std::vector<common::http::Route> EnrollmentRequestHandlers::satellite_routes() {
  return {{MethodSet{Method::kPost}, "/satellite/v1/enrollmentrequests",
           "satellite_enrollment_requests",
           [this](Request& r, const RouteMatch&) { return submit(r); }},
          {MethodSet{Method::kGet}, "/satellite/v1/enrollmentrequests/{name}",
           "satellite_enrollment_request",
           [this](Request& r, const RouteMatch& m) { return poll(r, m.param("name")); }}};
}

std::vector<common::http::Route> EnrollmentRequestHandlers::management_routes() {
  return {{MethodSet{Method::kPost}, "/api/v1/enrollmentrequests/{name}/approval",
           "enrollment_request_approval",
           [this](Request& r, const RouteMatch& m) { return decide(r, m.param("name")); }}};
}

boost::asio::awaitable<Response> EnrollmentRequestHandlers::submit(Request& request) {
  auto body = co_await common::http::read_json_body(request, kMaxSubmissionBytes);
  if (!body) co_return error_response(body.error());
  auto submission = model::parse_enrollment_submission(*body);
  if (!submission) co_return error_response(submission.error());
  const service::Actor device{fmt::format("device:{}", request.remote_address)};
  auto submitted =
      co_await common::http::offload(pool_, [&] { return requests_.submit(*submission, device); });
  if (!submitted) co_return error_response(submitted.error());
  co_return json_response(submitted->created ? 201 : 200, resource_json(submitted->request));
}

boost::asio::awaitable<Response> EnrollmentRequestHandlers::poll(Request& /*request*/,
                                                                 std::string_view name) {
  if (auto ok = model::validate_name(name, "name"); !ok) co_return error_response(ok.error());
  auto found = co_await common::http::offload(
      pool_, [&] { return resources_.get(model::Kind::kEnrollmentRequest, name); });
  if (!found) co_return error_response(found.error());
  auto document = resource_json(*found);
  document.erase("spec");  // what the device asked for stays between it and the admins
  auto response = json_response(200, document);
  response.set("Cache-Control", "no-store");
  co_return response;
}

boost::asio::awaitable<Response> EnrollmentRequestHandlers::decide(Request& request,
                                                                   std::string_view name) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto body = co_await common::http::read_json_body(request, kMaxDecisionBytes);
  if (!body) co_return error_response(body.error());
  auto decision = model::parse_enrollment_decision(*body);
  if (!decision) co_return error_response(decision.error());
  auto decided = co_await common::http::offload(
      pool_, [&] { return requests_.decide(name, *decision, service::Actor{principal->actor}); });
  if (!decided) co_return error_response(decided.error());
  co_return json_response(200, resource_json(*decided));
}

}  // namespace groundcontrol::api
