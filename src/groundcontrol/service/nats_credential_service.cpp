#include "groundcontrol/service/nats_credential_service.hpp"

#include "common/fleet_wire/nats_subjects.hpp"
#include "common/time_format.hpp"

namespace groundcontrol::service {

namespace subjects = common::fleet_wire::nats_subjects;

common::Result<common::fleet_wire::NatsCredentials> NatsCredentialService::issue(
    std::string_view satellite, std::string_view public_key) {
  auto grant = authority_.satellite_user(satellite, public_key, config_.validity);
  if (!grant) return common::fail(grant.error());
  if (auto ok = prepare_consumer_(satellite); !ok) return common::fail(ok.error());
  const store::NatsUser user{std::string(satellite), std::string(public_key),
                             common::format_rfc3339(clock_.now()), grant->expires_at, ""};
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

}  // namespace groundcontrol::service
