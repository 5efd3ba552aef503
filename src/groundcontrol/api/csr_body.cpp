#include "groundcontrol/api/csr_body.hpp"

#include <nlohmann/json.hpp>

#include "common/http/json_body.hpp"
#include "groundcontrol/model/json_fields.hpp"

namespace groundcontrol::api {

boost::asio::awaitable<common::Result<std::string>> read_csr_body(common::http::Request& request) {
  auto body = co_await common::http::read_json_body(request, kMaxCsrBodyBytes);
  if (!body) co_return common::fail(body.error());
  auto fields = model::JsonFields::open(*body, "");
  if (!fields) co_return common::fail(fields.error());
  auto csr = fields->required_text("csr");
  if (!csr) co_return common::fail(csr.error());
  if (auto ok = fields->finish(); !ok) co_return common::fail(ok.error());
  co_return std::move(*csr);
}

}  // namespace groundcontrol::api
