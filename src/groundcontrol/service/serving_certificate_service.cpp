#include "groundcontrol/service/serving_certificate_service.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "common/time_format.hpp"
#include "groundcontrol/model/satellite.hpp"
#include "groundcontrol/model/satellite_config.hpp"
#include "groundcontrol/model/server_name.hpp"
#include "groundcontrol/pki/issued_certificate.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using common::fail;
using common::sql::Connection;
using nlohmann::json;

constexpr std::string_view kSatellite = "Satellite";
constexpr std::string_view kSatelliteConfig = "SatelliteConfig";

// The names the config of `satellite` lists for its registry, read in the transaction.
common::Result<std::vector<std::string>> server_names_of(Connection& db,
                                                         std::string_view satellite) {
  const store::ResourceStore resources;
  auto found = resources.get(db, kSatellite, satellite);
  if (!found) return fail(found.error());
  const auto satellite_spec = json::parse(found->spec, nullptr, false);
  auto spec = model::parse_satellite_spec(&satellite_spec);
  if (!spec) return fail(ErrorCode::kCorruption, "a stored satellite spec does not parse");
  auto config = resources.get(db, kSatelliteConfig, spec->config);
  if (!config && config.error().code() == ErrorCode::kNotFound)
    return fail(ErrorCode::kNotFound,
                fmt::format("satellite \"{}\" follows SatelliteConfig \"{}\", which does not exist",
                            satellite, spec->config));
  if (!config) return fail(config.error());
  const auto config_json = json::parse(config->spec, nullptr, false);
  auto config_spec = model::parse_satellite_config_spec(&config_json);
  if (!config_spec) return fail(ErrorCode::kCorruption, "a stored config spec does not parse");
  if (config_spec->registry_server_names.empty())
    return fail(ErrorCode::kConflict,
                fmt::format("SatelliteConfig \"{}\" lists no spec.registry.serverNames: set the "
                            "names and addresses satellite \"{}\"'s registry is reached by",
                            spec->config, satellite));
  return std::move(config_spec->registry_server_names);
}

// What the CA is asked for: the names split into host names and addresses, CN the first.
pki::ServerCertRequest request_for(const std::vector<std::string>& names,
                                   std::chrono::seconds validity) {
  pki::ServerCertRequest request;
  request.common_name = names.front();
  request.validity = validity;
  for (const auto& name : names) {
    if (model::server_name_kind(name) == model::ServerNameKind::kIpAddress)
      request.ip_addresses.push_back(name);
    else
      request.dns_names.push_back(name);
  }
  return request;
}

}  // namespace

common::Result<ServingCertificate> ServingCertificateService::issue(std::string_view satellite,
                                                                    std::string_view csr_pem) {
  std::optional<ServingCertificate> out;
  auto done = db_.transact([&](Connection& db) -> common::Status {
    auto names = server_names_of(db, satellite);
    if (!names) return fail(names.error());
    auto cas = cas_.current_within(db);
    if (!cas) return fail(cas.error());
    auto issued = (*cas)->active.sign_server_certificate(csr_pem, request_for(*names, validity_));
    if (!issued) return fail(issued.error());
    const auto now = common::format_rfc3339(clock_.now());
    const auto not_after = common::format_rfc3339(issued->not_after);
    if (auto ok = events_.record(
            db, {0, now, fmt::format("satellite:{}", satellite), "serving-certificate",
                 std::string(kSatellite), std::string(satellite),
                 fmt::format("serving certificate {} for {} until {}", issued->serial_hex,
                             fmt::join(*names, ", "), not_after)});
        !ok)
      return ok;
    out = ServingCertificate{std::string(satellite),
                             std::move(issued->cert_pem),
                             (*cas)->bundle.pem(),
                             std::move(issued->serial_hex),
                             not_after,
                             std::move(*names)};
    return {};
  });
  if (!done) return fail(done.error());
  return std::move(*out);
}

}  // namespace groundcontrol::service
