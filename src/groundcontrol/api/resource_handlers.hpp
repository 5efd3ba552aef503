// ResourceHandlers: the management API's routes for Satellites, Groups,
// SatelliteConfigs and (get, list and delete only) EnrollmentRequests, Kubernetes-style:
//   GET    /api/v1/{plural}          list (labelSelector, fieldSelector, limit, continue);
//                                    ?watch=true&resourceVersion=N: the changes after N as
//                                    a stream of events (watch_stream.hpp), 410 when the
//                                    change log no longer reaches back to N
//   POST   /api/v1/{plural}          create (201; a Satellite's answer carries its one-time
//                                    enrollment token)
//   GET    /api/v1/{plural}/{name}   get
//   PUT    /api/v1/{plural}/{name}   replace (metadata.resourceVersion checked when given)
//   PATCH  /api/v1/{plural}/{name}   JSON merge patch (application/merge-patch+json)
//   DELETE /api/v1/{plural}/{name}   delete (?resourceVersion= checked when given)
//   PUT|POST /api/v1/groups/{name}/state  Harbor's state file (?full=true replaces)
//   GET    /api/v1/groups/{name}/harborartifacts  what Harbor sent for the group
//   GET    /api/v1/events            the audit trail (?kind=&name=&after=&limit=)
// Every handler authorizes first (viewer reads, admin writes; the state file also takes
// the group's Harbor credentials, through HarborAccess), reads the body with a size limit, runs
// the service call on the blocking pool, and answers the document or the error envelope.
// Ownership: borrows the service, access and pool for the router's lifetime.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/harbor_access.hpp"
#include "groundcontrol/api/principal.hpp"
#include "groundcontrol/service/enrollment_service.hpp"
#include "groundcontrol/service/resource_service.hpp"

namespace groundcontrol::api {

// How long a watch stream lasts (timeoutSeconds; a client then watches again from the
// last resourceVersion it saw).
inline constexpr std::int64_t kDefaultWatchSeconds = 1800;
inline constexpr std::int64_t kMaxWatchSeconds = 3600;

// Largest management request body (a Group of 10,000 artifacts fits).
inline constexpr std::size_t kMaxBodyBytes = 8 * 1024 * 1024;

class ResourceHandlers {
 public:
  // `enrollment`, when given, issues the one-time enrollment token a Satellite's create
  // answers with (under "enrollment": {"token","expiresAt"}); `harbor`, when given, lets a
  // group's Harbor credentials send its state file (else only an admin may).
  ResourceHandlers(service::ResourceService& service, Access& access,
                   boost::asio::thread_pool& pool, service::EnrollmentService* enrollment = nullptr,
                   HarborAccess* harbor = nullptr)
      : service_(service), access_(access), pool_(pool), enrollment_(enrollment), harbor_(harbor) {}

  std::vector<common::http::Route> routes();

 private:
  boost::asio::awaitable<common::http::Response> list(model::Kind kind,
                                                      common::http::Request& request);
  // list's ?watch=true: the changes after resourceVersion, streamed for timeoutSeconds
  // (default 1800, at most 3600).
  boost::asio::awaitable<common::http::Response> watch(model::Kind kind,
                                                       common::http::Request& request);
  boost::asio::awaitable<common::http::Response> create(model::Kind kind,
                                                        common::http::Request& request);
  boost::asio::awaitable<common::http::Response> get(model::Kind kind,
                                                     common::http::Request& request,
                                                     std::string_view name);
  boost::asio::awaitable<common::http::Response> replace(model::Kind kind,
                                                         common::http::Request& request,
                                                         std::string_view name);
  boost::asio::awaitable<common::http::Response> patch(model::Kind kind,
                                                       common::http::Request& request,
                                                       std::string_view name);
  boost::asio::awaitable<common::http::Response> remove(model::Kind kind,
                                                        common::http::Request& request,
                                                        std::string_view name);
  boost::asio::awaitable<common::http::Response> ingest_state(common::http::Request& request,
                                                              std::string_view group);
  boost::asio::awaitable<common::http::Response> harbor_artifacts(common::http::Request& request,
                                                                  std::string_view group);
  boost::asio::awaitable<common::http::Response> events(common::http::Request& request);

  service::ResourceService& service_;
  Access& access_;
  boost::asio::thread_pool& pool_;
  service::EnrollmentService* enrollment_;
  HarborAccess* harbor_;
};

}  // namespace groundcontrol::api
