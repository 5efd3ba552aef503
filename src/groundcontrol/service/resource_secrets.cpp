// ResourceService's write-only passwords (a SatelliteConfig's upstream password, a
// RegistryEndpoint's): sealed under the master key in `secrets` on write, never in a
// response, opened only for a satellite's config over mTLS and for building an adapter.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "groundcontrol/model/kind.hpp"
#include "groundcontrol/service/fleet_sync.hpp"
#include "groundcontrol/service/parsed_document.hpp"
#include "groundcontrol/service/resource_service.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using common::fail;
using common::sql::Connection;
using model::Kind;
using nlohmann::json;

// Where a config's upstream password is kept, sealed.
std::string password_secret(std::string_view config) {
  return fmt::format("satelliteconfig/{}/upstream-password", config);
}

// Where a registry endpoint's password is kept, sealed.
std::string endpoint_password_secret(std::string_view endpoint) {
  return fmt::format("registryendpoint/{}/password", endpoint);
}

// The object of a stored spec that holds its write-only password.
std::string_view password_holder(std::string_view kind) {
  return kind == "RegistryEndpoint" ? "credentials" : "upstream";
}

std::int64_t credentials_generation_of(const store::Resource& resource) {
  const auto spec = json::parse(resource.spec, nullptr, false);
  const std::string holder(password_holder(resource.kind));
  if (!spec.is_object() || !spec.contains(holder) || !spec[holder].is_object()) return 0;
  const auto& object = spec[holder];
  const auto found = object.find("credentialsGeneration");
  return found != object.end() && found->is_number_integer() ? found->get<std::int64_t>() : 0;
}

// Where the password of resource `name` of `kind` is kept; "" for kinds without one.
std::string secret_key(Kind kind, std::string_view name) {
  if (kind == Kind::kSatelliteConfig) return password_secret(name);
  if (kind == Kind::kRegistryEndpoint) return endpoint_password_secret(name);
  return {};
}

}  // namespace

common::Status ResourceService::settle_password(Connection& db, const std::string& key,
                                                WriteOnlyPassword field,
                                                std::int64_t previous_generation) const {
  if (field.password) {
    if (box_ == nullptr) return fail(ErrorCode::kUnsupported, "password: no key to seal it with");
    if (field.password->empty()) {
      if (auto ok = secrets_.remove(db, key); !ok) return fail(ok.error());
    } else if (auto ok = secrets_.put(db, {key, box_->seal(*field.password), ""}, now()); !ok) {
      return fail(ok.error());
    }
    field.password_set = !field.password->empty();
    field.generation = previous_generation + 1;
  } else {
    auto stored = secrets_.get(db, key);
    if (!stored) return fail(stored.error());
    field.password_set = stored->has_value();
    field.generation = previous_generation;
  }
  field.password.reset();
  return {};
}

common::Result<std::string> ResourceService::settle_credentials(
    Connection& db, std::string_view name, ParsedDocument& document,
    const store::Resource* previous) const {
  const auto generation = previous != nullptr ? credentials_generation_of(*previous) : 0;
  if (document.config) {
    auto& spec = *document.config;
    if (auto ok = settle_password(
            db, password_secret(name),
            {spec.upstream_password, spec.upstream_password_set, spec.credentials_generation},
            generation);
        !ok)
      return fail(ok.error());
    return model::to_json(spec).dump();
  }
  auto& spec = *document.endpoint;
  if (auto ok = settle_password(db, endpoint_password_secret(name),
                                {spec.password, spec.password_set, spec.credentials_generation},
                                generation);
      !ok)
    return fail(ok.error());
  return model::to_json(spec).dump();
}

common::Status ResourceService::remove_secret(Connection& db, Kind kind,
                                              std::string_view name) const {
  const auto key = secret_key(kind, name);
  if (key.empty()) return {};
  return secrets_.remove(db, key);
}

common::Result<ResourceService::WithSecret> ResourceService::read_with_secret(
    Kind kind, std::string_view name) {
  std::optional<store::Resource> found;
  std::optional<store::StoredSecret> secret;
  auto read = db_.transact(
      [&](Connection& db) -> common::Status {
        auto resource = resources_.get(db, model::info(kind).name, name);
        if (!resource) return fail(resource.error());
        found = std::move(*resource);
        auto stored = secrets_.get(db, secret_key(kind, name));
        if (!stored) return fail(stored.error());
        secret = std::move(*stored);
        return {};
      },
      {.read_only = true});
  if (!read) return fail(read.error());
  WithSecret out{std::move(*found), std::nullopt};
  if (secret) {
    if (box_ == nullptr) return fail(ErrorCode::kUnavailable, "no key to open the credentials");
    auto password = box_->open(secret->sealed);
    if (!password) return fail(password.error());
    out.password = std::move(*password);
  }
  return out;
}

common::Result<SatelliteConfigDocument> ResourceService::satellite_config(std::string_view config) {
  auto read = read_with_secret(Kind::kSatelliteConfig, config);
  if (!read) return fail(read.error());
  auto spec = json::parse(read->resource.spec, nullptr, false);
  if (!spec.is_object()) return fail(ErrorCode::kCorruption, "a stored config is not JSON");
  if (read->password) spec["upstream"]["password"] = std::move(*read->password);
  return SatelliteConfigDocument{read->resource.meta.name, summarize_config(read->resource).digest,
                                 std::move(spec)};
}

common::Result<RegistryEndpointDocument> ResourceService::registry_endpoint(std::string_view name) {
  auto read = read_with_secret(Kind::kRegistryEndpoint, name);
  if (!read) return fail(read.error());
  const auto spec_json = json::parse(read->resource.spec, nullptr, false);
  auto spec = model::parse_registry_endpoint_spec(&spec_json);
  if (!spec) return fail(ErrorCode::kCorruption, "a stored registry endpoint does not parse");
  if (read->password) spec->password = std::move(*read->password);
  return RegistryEndpointDocument{read->resource.meta.name, std::move(*spec)};
}

}  // namespace groundcontrol::service
