// GroupCredentialService: the access id and secret pairs with which Harbor's replication
// sends a group's state file (HTTP basic auth, as Harbor's registry endpoint credentials).
// An admin makes a pair; the secret (256 random bits, SecretToken "gchs") is shown once and
// stored only as its SHA-256. A group may hold several pairs, each deleted on its own; all
// go with the group. A pair authorizes that group's state file and nothing else. Checking
// one is a lookup by access id, cached per replica for a few seconds (so a deleted pair
// stops working on every replica within that time), and a constant-time digest compare —
// never a password hash.
// Blocking (database on a cache miss): call from the blocking pool.
// Thread-safety: every call from any thread.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/service/resource_service.hpp"
#include "groundcontrol/store/event_store.hpp"
#include "groundcontrol/store/group_credential_store.hpp"
#include "groundcontrol/store/resource_store.hpp"

namespace groundcontrol::service {

struct GroupCredentialConfig {
  std::chrono::seconds cache_ttl{5};  // how long a replica trusts a pair it looked up
};

struct IssuedGroupCredential {
  std::string access_id;
  std::string secret;  // shown once
  std::string created_at;
};

struct GroupCredentialInfo {
  std::string access_id;
  std::string created_at;
};

class GroupCredentialService {
 public:
  GroupCredentialService(common::sql::Database& db, const common::Clock& clock,
                         GroupCredentialConfig config = {})
      : db_(db), clock_(clock), config_(config) {}

  // A new pair for `group`. kNotFound for an unknown group.
  [[nodiscard]] common::Result<IssuedGroupCredential> create(std::string_view group,
                                                             const Actor& actor);
  // The group's pairs (ids and times, never secrets), oldest first. kNotFound.
  [[nodiscard]] common::Result<std::vector<GroupCredentialInfo>> list(std::string_view group);
  // Deletes the group's pair `access_id`; kNotFound when the group has none by that id.
  [[nodiscard]] common::Status remove(std::string_view group, std::string_view access_id,
                                      const Actor& actor);
  // The actor `harbor:<accessId>` when the pair is valid for `group`. kUnauthenticated for
  // an unknown access id or a wrong secret (one message for both); kPermissionDenied for a
  // valid pair of another group.
  [[nodiscard]] common::Result<Actor> authenticate(std::string_view access_id,
                                                   std::string_view secret, std::string_view group);

 private:
  struct Cached {
    std::string group;
    std::string secret_digest;
    std::chrono::steady_clock::time_point until;
  };
  std::string now() const;

  common::sql::Database& db_;
  const common::Clock& clock_;
  const GroupCredentialConfig config_;
  store::GroupCredentialStore credentials_;
  store::ResourceStore resources_;
  store::EventStore events_;
  std::mutex cache_mutex_;                         // guards cache_
  std::unordered_map<std::string, Cached> cache_;  // access id → its group and digest
};

}  // namespace groundcontrol::service
