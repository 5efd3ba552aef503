// HarborAccess: who may send a group's state file (PUT|POST /api/v1/groups/{name}/state):
// Harbor with that group's access id and secret (`Authorization: Basic`, as Harbor's
// registry endpoint credentials), or an admin with a bearer token (through Access). A
// pair is good for its own group's state file only: another group's answers 403, and
// every other route refuses Basic credentials as no credentials at all (401), since only
// this check reads them. Pair checks run on the blocking pool (a cache miss reads the
// database); none costs a password hash.
// Ownership: borrows the service, access and pool. Thread-safety: any thread.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "groundcontrol/api/principal.hpp"
#include "groundcontrol/service/group_credential_service.hpp"

namespace groundcontrol::api {

struct BasicCredentials {
  std::string user;
  std::string password;
};

class HarborAccess {
 public:
  HarborAccess(service::GroupCredentialService& credentials, Access& access,
               boost::asio::thread_pool& pool)
      : credentials_(credentials), access_(access), pool_(pool) {}

  // The principal that may write `group`'s Harbor set: `harbor:<accessId>` for a pair,
  // else the admin's. kUnauthenticated for a malformed header or a wrong pair;
  // kPermissionDenied for another group's pair or a viewer.
  boost::asio::awaitable<common::Result<Principal>> authorize(common::http::Request& request,
                                                              std::string_view group);

 private:
  service::GroupCredentialService& credentials_;
  Access& access_;
  boost::asio::thread_pool& pool_;
};

// The user and password of an `Authorization: Basic …` header; nullopt when the header
// uses another scheme or is absent; kUnauthenticated when it is malformed.
common::Result<std::optional<BasicCredentials>> basic_credentials(
    const common::http::Request& request);

}  // namespace groundcontrol::api
