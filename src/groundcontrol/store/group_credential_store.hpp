// GroupCredentialStore: the SQL of `group_credentials`: the access ids and secret digests
// with which Harbor's replication authenticates the state file it sends for one group (the
// secret itself is never stored). Stateless; calls run in the caller's transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sql/connection.hpp"

namespace groundcontrol::store {

struct GroupCredential {
  std::string access_id;
  std::string group;
  std::string secret_digest;  // token_digest() of the secret
  std::string created_at;     // RFC 3339
};

class GroupCredentialStore {
 public:
  // kAlreadyExists when the access id is taken.
  [[nodiscard]] common::Status add(common::sql::Connection& db,
                                   const GroupCredential& credential) const;
  // nullopt when no credential has this access id.
  [[nodiscard]] common::Result<std::optional<GroupCredential>> find(
      common::sql::Connection& db, std::string_view access_id) const;
  // The group's credentials, oldest first.
  [[nodiscard]] common::Result<std::vector<GroupCredential>> list_of(common::sql::Connection& db,
                                                                     std::string_view group) const;
  // Deletes the group's credential `access_id`; false when the group has none by that id.
  [[nodiscard]] common::Result<bool> remove(common::sql::Connection& db, std::string_view group,
                                            std::string_view access_id) const;
  // Deletes every credential of the group (the group is being deleted); returns how many.
  [[nodiscard]] common::Result<std::int64_t> remove_all_of(common::sql::Connection& db,
                                                           std::string_view group) const;
};

}  // namespace groundcontrol::store
