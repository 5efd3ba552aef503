#include "groundcontrol/service/nats_authority.hpp"

#include <fmt/format.h>

#include "common/fleet_wire/nats_subjects.hpp"
#include "common/nats/nats_jwt.hpp"
#include "common/time_format.hpp"
#include "groundcontrol/store/secret_store.hpp"

namespace groundcontrol::service {

using common::ErrorCode;
using common::fail;
using common::nats::Nkey;
using common::nats::NkeyType;

namespace {

struct KeySlot {
  std::string_view name;
  NkeyType type;
};
constexpr KeySlot kOperator{"nats-operator", NkeyType::kOperator};
constexpr KeySlot kAccount{"nats-account-satellites", NkeyType::kAccount};
constexpr KeySlot kSigning{"nats-account-satellites-signing", NkeyType::kAccount};
constexpr KeySlot kSystem{"nats-account-system", NkeyType::kAccount};

// The key in `slot`, made and stored when absent (the first replica's insert wins; every
// replica then reads that one back).
common::Result<Nkey> load_or_make(common::sql::Database& db, const common::crypto::SecretBox& box,
                                  const common::Clock& clock, const KeySlot& slot) {
  const auto fresh = Nkey::generate(slot.type);
  auto seed = fresh.seed();
  const store::StoredSecret candidate{std::string(slot.name), box.seal(seed), fresh.public_key()};
  std::fill(seed.begin(), seed.end(), '\0');
  std::optional<store::StoredSecret> stored;
  const auto now = common::format_rfc3339(clock.now());
  auto done = db.transact([&](common::sql::Connection& c) -> common::Status {
    store::SecretStore secrets;
    auto put = secrets.put_if_absent(c, candidate, now);
    if (!put) return fail(put.error());
    auto found = secrets.get(c, slot.name);
    if (!found) return fail(found.error());
    stored = std::move(*found);
    return {};
  });
  if (!done) return fail(done.error());
  if (!stored) return fail(ErrorCode::kInternal, fmt::format("{}: not stored", slot.name));
  auto opened = box.open(stored->sealed);
  if (!opened)
    return fail(ErrorCode::kCorruption,
                fmt::format("{}: does not open: {}", slot.name, opened.error().message()));
  auto key = Nkey::from_seed(*opened);
  std::fill(opened->begin(), opened->end(), '\0');
  if (!key || key->type() != slot.type)
    return fail(ErrorCode::kCorruption, fmt::format("{}: not a NATS {} key", slot.name,
                                                    common::nats::to_string(slot.type)));
  return std::move(*key);
}

common::Result<NatsUserGrant> grant(common::Result<std::string> jwt,
                                    std::chrono::system_clock::time_point expires) {
  if (!jwt) return fail(jwt.error());
  return NatsUserGrant{std::move(*jwt), common::format_rfc3339(expires)};
}

}  // namespace

common::Result<NatsAuthority> NatsAuthority::load_or_create(common::sql::Database& db,
                                                            const common::crypto::SecretBox& box,
                                                            const common::Clock& clock) {
  auto operator_key = load_or_make(db, box, clock, kOperator);
  if (!operator_key) return fail(operator_key.error());
  auto account = load_or_make(db, box, clock, kAccount);
  if (!account) return fail(account.error());
  auto signing = load_or_make(db, box, clock, kSigning);
  if (!signing) return fail(signing.error());
  auto system = load_or_make(db, box, clock, kSystem);
  if (!system) return fail(system.error());
  return NatsAuthority(std::move(*operator_key), std::move(*account), std::move(*signing),
                       std::move(*system), clock);
}

common::Result<std::string> NatsAuthority::server_config() const {
  using namespace common::nats;
  const auto now = clock_->now();
  OperatorClaims operator_claims{.subject = operator_.public_key(),
                                 .meta = {.name = "ground-control"},
                                 .system_account = system_.public_key()};
  AccountClaims system_claims{.subject = system_.public_key(), .meta = {.name = "SYS"}};
  system_claims.limits.jetstream = {0, 0, 0, 0};  // the system account has no JetStream
  AccountClaims account_claims{.subject = account_.public_key(),
                               .meta = {.name = "SATELLITES"},
                               .signing_keys = {signing_.public_key()}};
  auto operator_jwt = encode_jwt(operator_claims, operator_, now);
  if (!operator_jwt) return fail(operator_jwt.error());
  auto system_jwt = encode_jwt(system_claims, operator_, now);
  if (!system_jwt) return fail(system_jwt.error());
  auto account_jwt = encode_jwt(account_claims, operator_, now);
  if (!account_jwt) return fail(account_jwt.error());
  return fmt::format(
      "# Operator mode for ground control's NATS channel (written by ground-control "
      "nats-config).\n"
      "operator: {}\nsystem_account: {}\nresolver: MEMORY\nresolver_preload: {{\n"
      "  {}: {}\n  {}: {}\n}}\n",
      *operator_jwt, system_.public_key(), account_.public_key(), *account_jwt,
      system_.public_key(), *system_jwt);
}

common::Result<NatsUserGrant> NatsAuthority::satellite_user(std::string_view satellite,
                                                            std::string_view user_public_key,
                                                            std::chrono::seconds validity) const {
  using namespace common::nats;
  auto type = public_key_type(user_public_key);
  if (!type || *type != NkeyType::kUser)
    return fail(ErrorCode::kInvalidArgument, "publicKey: not a NATS user public key (\"U…\")");
  const auto allowed = common::fleet_wire::nats_subjects::satellite_permissions(satellite);
  const auto now = clock_->now();
  const auto expires = now + validity;
  UserClaims claims{
      .subject = std::string(user_public_key),
      .meta = {.name = std::string(satellite), .expires = expires},
      .permissions = {.pub = {.allow = allowed.publish}, .sub = {.allow = allowed.subscribe}},
      .issuer_account = account_.public_key()};
  return grant(encode_jwt(claims, signing_, now), expires);
}

common::Result<NatsUserGrant> NatsAuthority::leaf_user(const common::nats::Nkey& user,
                                                       std::string_view name,
                                                       const std::vector<std::string>& satellites,
                                                       std::chrono::seconds validity) const {
  using namespace common::nats;
  UserClaims claims{.subject = user.public_key(),
                    .meta = {.name = std::string(name)},
                    .issuer_account = account_.public_key()};
  for (const auto& satellite : satellites) {
    const auto allowed = common::fleet_wire::nats_subjects::satellite_permissions(satellite);
    claims.permissions.pub.allow.insert(claims.permissions.pub.allow.end(), allowed.publish.begin(),
                                        allowed.publish.end());
    claims.permissions.sub.allow.insert(claims.permissions.sub.allow.end(),
                                        allowed.subscribe.begin(), allowed.subscribe.end());
  }
  const auto now = clock_->now();
  const auto expires = now + validity;
  claims.meta.expires = expires;
  return grant(encode_jwt(claims, signing_, now), expires);
}

common::Result<NatsUserGrant> NatsAuthority::ground_control_user(
    const common::nats::Nkey& user, std::chrono::seconds validity) const {
  using namespace common::nats;
  const auto now = clock_->now();
  const auto expires = now + validity;
  UserClaims claims{.subject = user.public_key(),
                    .meta = {.name = "ground-control", .expires = expires},
                    .issuer_account = account_.public_key()};
  return grant(encode_jwt(claims, signing_, now), expires);
}

}  // namespace groundcontrol::service
