#include "groundcontrol/service/nats_credential_service.hpp"

#include "common/fleet_wire/nats_subjects.hpp"
#include "common/nats/user_creds.hpp"
#include "common/time_format.hpp"
#include "groundcontrol/model/names.hpp"
#include "groundcontrol/store/resource_store.hpp"

namespace groundcontrol::service {

namespace subjects = common::fleet_wire::nats_subjects;

common::Result<common::fleet_wire::NatsCredentials> NatsCredentialService::issue(
    std::string_view satellite, std::string_view public_key) {
  auto grant = authority_.satellite_user(satellite, public_key, config_.validity);
  if (!grant) return common::fail(grant.error());
  if (auto ok = prepare_consumer_(satellite); !ok) return common::fail(ok.error());
  const auto state = view_.state_of(satellite);
  const store::NatsUser user{std::string(satellite), std::string(public_key),
                             common::format_rfc3339(clock_.now()), grant->expires_at,
                             state ? state->state_digest : ""};
  auto done = db_.transact(
      [&](common::sql::Connection& db) -> common::Status { return users_.upsert(db, user); });
  if (!done) return common::fail(done.error());
  return common::fleet_wire::NatsCredentials{std::move(grant->jwt),
                                             grant->expires_at,
                                             config_.servers,
                                             subjects::inbox_prefix(satellite),
                                             std::string(subjects::kCommandStream),
                                             subjects::command_consumer(satellite)};
}

common::Result<std::string> NatsCredentialService::leaf_credentials(
    std::string_view name, const std::vector<std::string>& satellites) {
  constexpr auto kLeafValidity = std::chrono::hours(365 * 24);
  if (auto ok = model::validate_name(name, "name"); !ok) return common::fail(ok.error());
  if (satellites.empty())
    return common::fail(common::ErrorCode::kInvalidArgument,
                        "satellites: name the satellites behind the leaf node");
  auto known = db_.transact(
      [&](common::sql::Connection& db) -> common::Status {
        store::ResourceStore resources;
        for (const auto& satellite : satellites) {
          auto found = resources.get(db, "Satellite", satellite);
          if (!found)
            return found.error().code() == common::ErrorCode::kNotFound
                       ? common::fail(common::ErrorCode::kInvalidArgument,
                                      "satellites: no satellite \"" + satellite + "\"")
                       : common::fail(found.error());
        }
        return {};
      },
      {.read_only = true});
  if (!known) return common::fail(known.error());
  for (const auto& satellite : satellites)
    if (auto ok = prepare_consumer_(satellite); !ok) return common::fail(ok.error());
  const auto user = common::nats::Nkey::generate(common::nats::NkeyType::kUser);
  auto grant = authority_.leaf_user(user, name, satellites, kLeafValidity);
  if (!grant) return common::fail(grant.error());
  return common::nats::format_user_creds(grant->jwt, user);
}

common::Result<std::vector<std::string>> NatsCredentialService::holders() const {
  std::vector<std::string> out;
  const auto now = common::format_rfc3339(clock_.now());
  auto done = db_.transact(
      [&](common::sql::Connection& db) -> common::Status {
        auto users = users_.list(db);
        if (!users) return common::fail(users.error());
        // RFC 3339 times in UTC with one format compare as text.
        for (auto& user : *users)
          if (user.expires_at > now) out.push_back(std::move(user.satellite));
        return {};
      },
      {.read_only = true});
  if (!done) return common::fail(done.error());
  return out;
}

}  // namespace groundcontrol::service
