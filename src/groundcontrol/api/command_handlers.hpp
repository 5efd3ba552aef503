// CommandHandlers: the commands sent to one satellite over NATS, and how each went
// (docs/adr/0008-nats-command-channel.md):
//   GET  /api/v1/satellites/{name}/commands[?limit=N]  newest first (viewer)
//   POST /api/v1/satellites/{name}/commands            {"type", "ttlSeconds"?} → 201 (admin)
//   GET  /api/v1/satellites/{name}/commands/{id}       one command (viewer)
// A command is stored Pending at once, whether or not NATS is up; its phase then shows
// Sent, Done, Failed (with the satellite's reason) or Expired. A sync command names the
// satellite's current desired state, taken from this replica's view.
// Ownership: borrows what it is given for the router's lifetime.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <string_view>
#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/principal.hpp"
#include "groundcontrol/service/command_service.hpp"
#include "groundcontrol/service/fleet_view.hpp"

namespace groundcontrol::api {

class CommandHandlers {
 public:
  CommandHandlers(service::CommandService& commands, const service::FleetView& view, Access& access,
                  boost::asio::thread_pool& pool)
      : commands_(commands), view_(view), access_(access), pool_(pool) {}

  std::vector<common::http::Route> routes();

 private:
  boost::asio::awaitable<common::http::Response> list(common::http::Request& request,
                                                      std::string_view satellite);
  boost::asio::awaitable<common::http::Response> issue(common::http::Request& request,
                                                       std::string_view satellite);
  boost::asio::awaitable<common::http::Response> get(common::http::Request& request,
                                                     std::string_view satellite,
                                                     std::string_view id);

  service::CommandService& commands_;
  const service::FleetView& view_;
  Access& access_;
  boost::asio::thread_pool& pool_;
};

}  // namespace groundcontrol::api
