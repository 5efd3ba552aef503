#include "groundcontrol/service/group_credential_service.hpp"

#include <fmt/format.h>

#include "common/crypto/base64.hpp"
#include "common/crypto/random_bytes.hpp"
#include "common/crypto/secret_token.hpp"
#include "common/time_format.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using common::fail;
using common::sql::Connection;

constexpr std::string_view kSecretPrefix = "gchs";  // ground control Harbor secret
constexpr std::string_view kGroupKind = "Group";
constexpr std::size_t kAccessIdBytes = 12;
constexpr std::size_t kMaxCached = 10'000;

std::unexpected<common::Error> bad_pair() {
  return fail(ErrorCode::kUnauthenticated, "the access id or secret is wrong");
}

}  // namespace

std::string GroupCredentialService::now() const {
  return common::format_rfc3339(clock_.now());
}

common::Result<IssuedGroupCredential> GroupCredentialService::create(std::string_view group,
                                                                     const Actor& actor) {
  auto secret = common::crypto::SecretToken::generate(kSecretPrefix);
  if (!secret) return fail(secret.error());
  const auto access_id = common::crypto::hex_encode(common::crypto::random_bytes(kAccessIdBytes));
  const auto at = now();
  auto done = db_.transact([&](Connection& db) -> common::Status {
    if (auto exists = resources_.get(db, kGroupKind, group); !exists) return fail(exists.error());
    if (auto ok = credentials_.add(db, {access_id, std::string(group), secret->digest(), at}); !ok)
      return ok;
    return events_.record(db, {0, at, actor.name, "create-credential", std::string(kGroupKind),
                               std::string(group), fmt::format("access id {}", access_id)});
  });
  if (!done) return fail(done.error());
  return IssuedGroupCredential{access_id, secret->reveal(), at};
}

common::Result<std::vector<GroupCredentialInfo>> GroupCredentialService::list(
    std::string_view group) {
  std::vector<GroupCredentialInfo> out;
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        if (auto exists = resources_.get(db, kGroupKind, group); !exists)
          return fail(exists.error());
        auto found = credentials_.list_of(db, group);
        if (!found) return fail(found.error());
        out.clear();
        for (const auto& c : *found) out.push_back({c.access_id, c.created_at});
        return {};
      },
      {.read_only = true});
  if (!done) return fail(done.error());
  return out;
}

common::Status GroupCredentialService::remove(std::string_view group, std::string_view access_id,
                                              const Actor& actor) {
  auto done = db_.transact([&](Connection& db) -> common::Status {
    auto removed = credentials_.remove(db, group, access_id);
    if (!removed) return fail(removed.error());
    if (!*removed)
      return fail(ErrorCode::kNotFound,
                  fmt::format("group \"{}\" has no credential \"{}\"", group, access_id));
    return events_.record(db, {0, now(), actor.name, "delete-credential", std::string(kGroupKind),
                               std::string(group), fmt::format("access id {}", access_id)});
  });
  if (!done) return done;
  std::lock_guard lock(cache_mutex_);
  cache_.erase(std::string(access_id));
  return {};
}

common::Result<Actor> GroupCredentialService::authenticate(std::string_view access_id,
                                                           std::string_view secret,
                                                           std::string_view group) {
  if (!common::crypto::SecretToken::parse(secret, kSecretPrefix)) return bad_pair();
  const auto steady = clock_.steady_now();
  std::optional<Cached> known;
  {
    std::lock_guard lock(cache_mutex_);
    const auto found = cache_.find(std::string(access_id));
    if (found != cache_.end() && found->second.until > steady) known = found->second;
  }
  if (!known) {
    std::optional<store::GroupCredential> stored;
    auto read = db_.transact(
        [&](Connection& db) -> common::Status {
          auto c = credentials_.find(db, access_id);
          if (!c) return fail(c.error());
          stored = std::move(*c);
          return {};
        },
        {.read_only = true});
    if (!read) return fail(read.error());
    if (!stored) return bad_pair();
    known = Cached{stored->group, stored->secret_digest, steady + config_.cache_ttl};
    std::lock_guard lock(cache_mutex_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_[std::string(access_id)] = *known;
  }
  if (!common::crypto::token_matches(secret, known->secret_digest)) return bad_pair();
  if (known->group != group)
    return fail(ErrorCode::kPermissionDenied,
                fmt::format("this access id sends the state of group \"{}\" only", known->group));
  return Actor{fmt::format("harbor:{}", access_id)};
}

}  // namespace groundcontrol::service
