// RouteMatch: what the Router found for one request, handed to filters and the handler next to
// the Request: the route's name, the percent-decoded path it matched and the path parameters
// ({param} and {name...} segments) as views into that path. Filled in place by Router::find
// without allocating, except that a path holding '%' escapes is decoded into the match's own
// buffer; so a RouteMatch can be neither copied nor moved (its views point into itself).
// Lifetime: valid while the RouteMatch lives; Router::handle keeps it until the handler's
// awaitable completes. Thread-safety: belongs to one request.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace common::http {

struct PathParam {
  std::string_view name;   // as written in the pattern, without braces
  std::string_view value;  // percent-decoded; for {name...} it spans segments and their '/'
};

class RouteMatch {
 public:
  // Most parameters one pattern may declare (Router::add refuses more).
  static constexpr std::size_t kMaxParams = 6;

  RouteMatch() = default;
  RouteMatch(const RouteMatch&) = delete;
  RouteMatch& operator=(const RouteMatch&) = delete;

  // The matched route's name (a string with static lifetime); "unmatched" when none.
  std::string_view route() const noexcept { return route_; }
  // The percent-decoded request path that was matched.
  std::string_view path() const noexcept { return path_; }
  // Value of the parameter `name`; empty when the pattern has no such parameter.
  std::string_view param(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < count_; ++i) {
      if (params_[i].name == name) return params_[i].value;
    }
    return {};
  }
  // All parameters, in no particular order.
  std::span<const PathParam> params() const noexcept { return {params_.data(), count_}; }

 private:
  friend class Router;

  std::string_view route_ = "unmatched";
  std::string_view path_;
  std::string decoded_;  // owns path_ when the raw path held escapes
  std::array<PathParam, kMaxParams> params_{};
  std::size_t count_ = 0;
};

}  // namespace common::http
