// GroupRuleHandlers: evaluating a group's rules on demand (the periodic job does it every
// --rule-interval):
//   POST /api/v1/groups/{name}:sync  (admin) evaluates now; 200 {group, time, selected,
//        added, removed, moved, error} (error set, and the group's set kept, when a
//        registry could not be read)
// Ownership: borrows the service, access and pool for the router's lifetime.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/principal.hpp"
#include "groundcontrol/service/group_rule_service.hpp"

namespace groundcontrol::api {

class GroupRuleHandlers {
 public:
  GroupRuleHandlers(service::GroupRuleService& rules, Access& access,
                    boost::asio::thread_pool& pool)
      : rules_(rules), access_(access), pool_(pool) {}

  std::vector<common::http::Route> routes();

 private:
  boost::asio::awaitable<common::http::Response> sync(common::http::Request& request,
                                                      std::string_view group);

  service::GroupRuleService& rules_;
  Access& access_;
  boost::asio::thread_pool& pool_;
};

}  // namespace groundcontrol::api
