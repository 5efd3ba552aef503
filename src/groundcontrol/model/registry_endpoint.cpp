#include "groundcontrol/model/registry_endpoint.hpp"

#include <nlohmann/json.hpp>

#include "groundcontrol/model/json_fields.hpp"

namespace groundcontrol::model {
namespace {

using common::fail;
using nlohmann::json;

common::Status parse_credentials(JsonFields& fields, RegistryEndpointSpec& spec) {
  const auto* value = fields.take("credentials");
  if (value == nullptr) return {};
  auto credentials = JsonFields::open(*value, "spec.credentials");
  if (!credentials) return fail(credentials.error());
  auto username = credentials->text("username");
  if (!username) return fail(username.error());
  if (const auto* password = credentials->take("password")) {
    if (!password->is_string())
      return invalid_field("spec.credentials.password", "expected a string");
    spec.password = password->get<std::string>();
  }
  // What a response says; ignored on the way in.
  (void)credentials->take("passwordSet");
  (void)credentials->take("credentialsGeneration");
  if (auto ok = credentials->finish(); !ok) return ok;
  spec.username = std::move(*username);
  return {};
}

common::Status parse_tls(JsonFields& fields, RegistryEndpointSpec& spec) {
  const auto* value = fields.take("tls");
  if (value == nullptr) return {};
  auto tls = JsonFields::open(*value, "spec.tls");
  if (!tls) return fail(tls.error());
  auto bundle = tls->text("caBundle");
  if (!bundle) return fail(bundle.error());
  if (bundle->size() > kMaxCaBundleBytes)
    return invalid_field("spec.tls.caBundle", "larger than 64 KiB");
  if (!bundle->empty() && bundle->find("-----BEGIN CERTIFICATE-----") == std::string::npos)
    return invalid_field("spec.tls.caBundle", "expected PEM certificates");
  auto insecure = tls->boolean("insecureSkipVerify", false);
  if (!insecure) return fail(insecure.error());
  if (auto ok = tls->finish(); !ok) return ok;
  spec.ca_bundle = std::move(*bundle);
  spec.insecure_skip_verify = *insecure;
  return {};
}

}  // namespace

std::string_view name_of(RegistryType type) noexcept {
  return type == RegistryType::kHarbor ? "harbor" : "oci";
}

common::Result<RegistryEndpointSpec> parse_registry_endpoint_spec(const json* value) {
  if (value == nullptr) return invalid_field("spec", "required");
  auto fields = JsonFields::open(*value, "spec");
  if (!fields) return fail(fields.error());
  RegistryEndpointSpec spec;
  auto url = fields->required_text("url");
  if (!url) return fail(url.error());
  while (!url->empty() && url->back() == '/') url->pop_back();
  const auto scheme_end = url->find("://");
  if ((!url->starts_with("https://") && !url->starts_with("http://")) ||
      url->size() == scheme_end + 3 ||
      url->find_first_of("/?#@ ", scheme_end + 3) != std::string::npos)
    return invalid_field("spec.url", "expected http(s)://host[:port] with no path or user");
  auto type = fields->text("type", "oci");
  if (!type) return fail(type.error());
  if (*type == "harbor") {
    spec.type = RegistryType::kHarbor;
  } else if (*type != "oci") {
    return invalid_field("spec.type", "expected \"oci\" or \"harbor\"");
  }
  if (auto ok = parse_credentials(*fields, spec); !ok) return fail(ok.error());
  if (auto ok = parse_tls(*fields, spec); !ok) return fail(ok.error());
  if (auto ok = fields->finish(); !ok) return fail(ok.error());
  spec.url = std::move(*url);
  return spec;
}

json to_json(const RegistryEndpointSpec& spec) {
  return {
      {"url", spec.url},
      {"type", name_of(spec.type)},
      {"credentials",
       {{"username", spec.username},
        {"passwordSet", spec.password_set},
        {"credentialsGeneration", spec.credentials_generation}}},
      {"tls", {{"caBundle", spec.ca_bundle}, {"insecureSkipVerify", spec.insecure_skip_verify}}}};
}

}  // namespace groundcontrol::model
