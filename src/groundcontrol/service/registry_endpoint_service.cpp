#include "groundcontrol/service/registry_endpoint_service.hpp"

#include <nlohmann/json.hpp>

#include "common/time_format.hpp"
#include "groundcontrol/registry/registry_adapter_factory.hpp"

namespace groundcontrol::service {
namespace {

using nlohmann::json;

// The status members that record `outcome` at `time`.
json outcome_fields(const common::Status& outcome, const std::string& time) {
  if (outcome) return {{"lastSuccess", time}, {"lastError", nullptr}};
  return {{"lastError", {{"time", time}, {"message", outcome.error().message()}}}};
}

}  // namespace

common::Result<std::unique_ptr<registry::RegistryAdapter>> RegistryEndpointService::adapter(
    std::string_view name) {
  auto endpoint = resources_.registry_endpoint(name);
  if (!endpoint) return common::fail(std::move(endpoint.error()));
  return registry::make_registry_adapter(endpoint->name, endpoint->spec, http_, clock_);
}

common::Result<EndpointTestResult> RegistryEndpointService::test(std::string_view name) {
  auto made = adapter(name);
  if (!made && made.error().code() == common::ErrorCode::kNotFound) {
    return common::fail(std::move(made.error()));
  }
  const common::Status outcome =
      made ? (*made)->test() : common::Status(common::fail(made.error()));
  EndpointTestResult result{outcome.has_value(), outcome ? "connected" : outcome.error().message(),
                            common::format_rfc3339(clock_.now())};
  auto fields = outcome_fields(outcome, result.time);
  fields["lastTest"] = {{"time", result.time}, {"ok", result.ok}, {"message", result.message}};
  if (auto recorded = resources_.merge_status(model::Kind::kRegistryEndpoint, name, fields);
      !recorded) {
    return common::fail(std::move(recorded.error()));
  }
  return result;
}

common::Status RegistryEndpointService::record_use(std::string_view name,
                                                   const common::Status& outcome) {
  auto recorded =
      resources_.merge_status(model::Kind::kRegistryEndpoint, name,
                              outcome_fields(outcome, common::format_rfc3339(clock_.now())));
  if (!recorded) return common::fail(std::move(recorded.error()));
  return {};
}

}  // namespace groundcontrol::service
