// Content discovery: the version check, tag lists and the catalog (n/last pagination with a Link
// header) and the referrers API (an OCI image index of the manifests whose subject is a digest).
#include <charconv>
#include <nlohmann/json.hpp>

#include "common/http/offload.hpp"
#include "common/oci/media_types.hpp"
#include "registry/http/error_response.hpp"
#include "registry/http/handler_context.hpp"

namespace registry::http {

using common::ErrorCode;
using common::fail;
using common::http::Response;

namespace {

// Without n, everything is returned; this only bounds one response's size (a Link header
// then leads to the rest).
constexpr std::size_t kMaxPage = 100000;

struct Page {
  std::size_t limit = kMaxPage;
  std::string last;
};

common::Result<Page> parse_page(const common::http::Request& request) {
  Page page;
  if (auto n = request.query_param("n")) {
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(n->data(), n->data() + n->size(), value);
    if (ec != std::errc() || end != n->data() + n->size()) {
      return fail(ErrorCode::kInvalidArgument, "n must be a non-negative integer", *n);
    }
    page.limit = std::min(value, kMaxPage);
  }
  page.last = request.query_param("last").value_or("");
  return page;
}

// Rows to ask the store for: one more than the page holds, which tells whether a next page
// exists. n=0 asks for nothing (the spec wants an empty list and no Link).
std::size_t fetch_limit(const Page& page) {
  return page.limit == 0 ? 0 : page.limit + 1;
}

// Cuts `items` to the page; true when more items follow it.
bool trim_to_page(const Page& page, std::vector<std::string>& items) {
  if (items.size() <= page.limit) return false;
  items.resize(page.limit);
  return true;
}

Response json_response(const nlohmann::json& body) {
  Response response(200);
  response.set("Content-Type", "application/json");
  response.body = body.dump();
  return response;
}

// RFC 5988 Link to the page after `items` (which is not empty).
void set_next_link(Response& response, const std::string& path, const Page& page,
                   const std::vector<std::string>& items) {
  response.set("Link", "<" + path + "?n=" + std::to_string(page.limit) + "&last=" +
                           common::http::percent_encode(items.back()) + ">; rel=\"next\"");
}

}  // namespace

// The API version check: 200 and an empty object.
HandlerResult handle_base(HandlerContext&, common::http::Request&, const OciRoute&) {
  Response response(200);
  response.set("Content-Type", "application/json");
  response.body = std::string("{}");
  co_return response;
}

HandlerResult handle_tags(HandlerContext& ctx, common::http::Request& request,
                          const OciRoute& route) {
  auto page = parse_page(request);
  if (!page) co_return error_response(page.error());
  auto tags = co_await common::http::offload(
      ctx.pool, [&] { return ctx.service.list_tags(route.name, fetch_limit(*page), page->last); });
  if (!tags) co_return error_response(tags.error());
  const bool more = trim_to_page(*page, *tags);
  auto response = json_response({{"name", route.name}, {"tags", *tags}});
  if (more) set_next_link(response, "/v2/" + route.name + "/tags/list", *page, *tags);
  co_return response;
}

HandlerResult handle_catalog(HandlerContext& ctx, common::http::Request& request, const OciRoute&) {
  auto page = parse_page(request);
  if (!page) co_return error_response(page.error());
  auto names = co_await common::http::offload(
      ctx.pool, [&] { return ctx.service.list_repositories(fetch_limit(*page), page->last); });
  if (!names) co_return error_response(names.error());
  const bool more = trim_to_page(*page, *names);
  auto response = json_response({{"repositories", *names}});
  if (more) set_next_link(response, "/v2/_catalog", *page, *names);
  co_return response;
}

HandlerResult handle_referrers(HandlerContext& ctx, common::http::Request& request,
                               const OciRoute& route) {
  auto subject = common::Digest::parse(route.reference);
  if (!subject) co_return error_response(subject.error());
  const auto artifact_type = request.query_param("artifactType").value_or("");
  auto referrers = co_await common::http::offload(
      ctx.pool, [&] { return ctx.service.referrers(route.name, *subject, artifact_type); });
  if (!referrers) co_return error_response(referrers.error());
  auto manifests = nlohmann::json::array();
  for (const auto& referrer : *referrers) {
    nlohmann::json descriptor = {{"mediaType", referrer.media_type},
                                 {"digest", referrer.digest.str()},
                                 {"size", referrer.size}};
    if (!referrer.artifact_type.empty()) descriptor["artifactType"] = referrer.artifact_type;
    auto annotations = nlohmann::json::parse(referrer.annotations_json, nullptr, false);
    if (annotations.is_object() && !annotations.empty())
      descriptor["annotations"] = std::move(annotations);
    manifests.push_back(std::move(descriptor));
  }
  Response response(200);
  response.set("Content-Type", std::string(common::oci::media_type::kOciIndex));
  if (!artifact_type.empty()) response.set("OCI-Filters-Applied", "artifactType");
  response.body = nlohmann::json{{"schemaVersion", 2},
                                 {"mediaType", common::oci::media_type::kOciIndex},
                                 {"manifests", std::move(manifests)}}
                      .dump();
  co_return response;
}

}  // namespace registry::http
