#include "common/http/router.hpp"

#include <algorithm>

#include "common/http/metrics.hpp"

namespace common::http {

namespace {

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// The path without a copy when it holds no escape; else decoded into `storage`.
std::optional<std::string_view> decoded_path(std::string_view raw, std::string& storage) {
  if (raw.find('%') == std::string_view::npos) return raw;
  auto decoded = percent_decode(raw);
  if (!decoded) return std::nullopt;
  storage = std::move(*decoded);
  return std::string_view(storage);
}

}  // namespace

std::string MethodSet::to_allow_header() const {
  std::string out;
  for (unsigned m = 0; m <= static_cast<unsigned>(Method::kOptions); ++m) {
    const auto method = static_cast<Method>(m);
    if (!contains(method)) continue;
    if (!out.empty()) out += ", ";
    out += method_name(method);
  }
  return out;
}

Router::Router(RouterConfig config, Metrics* metrics)
    : config_(std::move(config)), metrics_(metrics) {}

Result<Router::Resource> Router::compile(std::string_view pattern) {
  if (!pattern.starts_with('/'))
    return fail(ErrorCode::kInvalidArgument, "a route pattern starts with '/'",
                std::string(pattern));
  Resource resource;
  resource.pattern = pattern;
  std::vector<std::string_view> names;
  for (std::size_t pos = 0; pos < pattern.size();) {
    const auto end = std::min(pattern.find('/', pos + 1), pattern.size());
    auto text = pattern.substr(pos + 1, end - pos - 1);
    pos = end;
    Segment segment{Segment::Kind::kLiteral, text, {}};
    std::string_view verb;
    if (const auto close = text.find("}:"); text.starts_with('{') && close != text.npos &&
                                            close + 2 < text.size() &&
                                            text.find_first_of("{}:", close + 2) == text.npos) {
      verb = text.substr(close + 2);
      text = text.substr(0, close + 1);
    }
    if (text.starts_with('{') && text.ends_with('}') && text.size() >= 2) {
      auto name = text.substr(1, text.size() - 2);
      const bool greedy = name.ends_with("...");
      if (greedy) name.remove_suffix(3);
      if (name.empty() || name.find_first_of("{}:") != std::string_view::npos ||
          std::find(names.begin(), names.end(), name) != names.end())
        return fail(ErrorCode::kInvalidArgument, "empty or repeated parameter name",
                    std::string(pattern));
      names.push_back(name);
      if (greedy && resource.greedy)
        return fail(ErrorCode::kInvalidArgument, "at most one {name...} segment",
                    std::string(pattern));
      if (greedy && !verb.empty())
        return fail(ErrorCode::kInvalidArgument, "a {name...} segment takes no verb",
                    std::string(pattern));
      segment = Segment{greedy ? Segment::Kind::kGreedy : Segment::Kind::kParam, name, verb};
      if (!verb.empty()) resource.literals += 1;
    } else if (text.find_first_of("{}") != std::string_view::npos) {
      return fail(ErrorCode::kInvalidArgument, "a brace in a literal segment",
                  std::string(pattern));
    }
    if (segment.kind == Segment::Kind::kGreedy) {
      resource.greedy = segment.text;
      continue;
    }
    (segment.kind == Segment::Kind::kLiteral ? resource.literals : resource.params) += 1;
    (resource.greedy ? resource.suffix : resource.prefix).push_back(segment);
  }
  if (names.size() > RouteMatch::kMaxParams)
    return fail(ErrorCode::kInvalidArgument, "too many parameters", std::string(pattern));
  return resource;
}

bool Router::precedes(const Resource& a, const Resource& b) {
  if (a.greedy.has_value() != b.greedy.has_value()) return !a.greedy;
  if (a.params != b.params) return a.params < b.params;
  if (a.literals != b.literals) return a.literals > b.literals;
  return a.order < b.order;
}

Status Router::add(Route route) {
  if (!valid_name(route.name))
    return fail(ErrorCode::kInvalidArgument, "a route name is [a-z0-9_]+", std::string(route.name));
  if (route.methods.empty() || !route.handler)
    return fail(ErrorCode::kInvalidArgument, "a route needs methods and a handler",
                std::string(route.name));
  auto it = std::find_if(resources_.begin(), resources_.end(),
                         [&](const Resource& r) { return r.pattern == route.pattern; });
  if (it == resources_.end()) {
    auto compiled = compile(route.pattern);
    if (!compiled) return fail(compiled.error());
    compiled->order = resources_.size();
    it = resources_.insert(
        std::upper_bound(resources_.begin(), resources_.end(), *compiled, &Router::precedes),
        std::move(*compiled));
  } else if (it->methods.overlaps(route.methods)) {
    return fail(ErrorCode::kAlreadyExists, "a route already offers one of these methods",
                std::string(route.pattern));
  }
  if (metrics_ != nullptr) {
    if (auto added = metrics_->add_route(route.name); !added) return added;
  }
  it->methods |= route.methods;
  it->routes.push_back(routes_.size());
  routes_.push_back(std::move(route));
  return {};
}

bool Router::match(const Resource& resource, std::string_view path, RouteMatch& match) {
  match.count_ = 0;
  const auto bind = [&match](std::string_view name, std::string_view value) {
    match.params_[match.count_++] = PathParam{name, value};
  };
  const auto accepts = [&](const Segment& segment, std::string_view text) {
    if (segment.kind == Segment::Kind::kLiteral) return text == segment.text;
    if (!segment.verb.empty()) {
      if (text.size() <= segment.verb.size() + 1 || !text.ends_with(segment.verb) ||
          text[text.size() - segment.verb.size() - 1] != ':')
        return false;
      text.remove_suffix(segment.verb.size() + 1);
    }
    if (text.empty()) return false;
    bind(segment.text, text);
    return true;
  };
  // Forward over the prefix: `pos` is the '/' that opens the next segment.
  std::size_t pos = 0;
  for (const auto& segment : resource.prefix) {
    if (pos >= path.size() || path[pos] != '/') return false;
    const auto end = std::min(path.find('/', pos + 1), path.size());
    if (!accepts(segment, path.substr(pos + 1, end - pos - 1))) return false;
    pos = end;
  }
  if (!resource.greedy) return pos == path.size();
  if (pos >= path.size() || path[pos] != '/') return false;
  // Backward over the suffix, never reaching the '/' at `pos`: the {name...} keeps a segment.
  std::size_t end = path.size();
  for (auto it = resource.suffix.rbegin(); it != resource.suffix.rend(); ++it) {
    const auto slash = path.rfind('/', end - 1);
    if (slash == std::string_view::npos || slash <= pos) return false;
    if (!accepts(*it, path.substr(slash + 1, end - slash - 1))) return false;
    end = slash;
  }
  bind(*resource.greedy, path.substr(pos + 1, end - pos - 1));
  return true;
}

RouteLookup Router::find(Method method, std::string_view raw_path, RouteMatch& match) const {
  match.route_ = "unmatched";
  match.count_ = 0;
  const auto path = decoded_path(raw_path, match.decoded_);
  if (!path) return RouteLookup{RouteLookup::Outcome::kMalformedPath};
  match.path_ = *path;
  for (const auto& resource : resources_) {
    if (!Router::match(resource, *path, match)) continue;
    const Route* first = &routes_[resource.routes.front()];
    for (const auto index : resource.routes) {
      if (routes_[index].methods.contains(method)) {
        match.route_ = routes_[index].name;
        return RouteLookup{RouteLookup::Outcome::kMatched, &routes_[index]};
      }
    }
    match.route_ = first->name;
    return RouteLookup{RouteLookup::Outcome::kMethodNotAllowed, first, resource.methods};
  }
  match.count_ = 0;
  return RouteLookup{RouteLookup::Outcome::kNotFound};
}

Response Router::refuse(const Error& error, std::string_view route) const {
  Response response = config_.write_error(error);
  response.route = route;
  return response;
}

void Router::finish(Response& response) const {
  for (const auto& [name, value] : config_.headers) response.set(name, value);
}

boost::asio::awaitable<Response> Router::handle(Request& request) const {
  RouteMatch match;
  const auto found = find(request.method, request.path, match);
  Response response;
  switch (found.outcome) {
    case RouteLookup::Outcome::kMalformedPath:
      response = refuse(Error(config_.malformed_path, "malformed percent-encoding in path"),
                        match.route());
      break;
    case RouteLookup::Outcome::kNotFound:
      response = refuse(Error(ErrorCode::kNotFound, "no such endpoint"), match.route());
      break;
    case RouteLookup::Outcome::kMethodNotAllowed:
    case RouteLookup::Outcome::kMatched: {
      std::optional<Response> refused;
      for (const auto& filter : found.route->filters) {
        refused = co_await filter(request, match);
        if (refused) break;
      }
      if (refused) {
        response = std::move(*refused);
      } else if (found.outcome == RouteLookup::Outcome::kMatched) {
        response = co_await found.route->handler(request, match);
      } else {
        response = config_.write_error(
            Error(ErrorCode::kUnsupported, "method not allowed on this endpoint"));
        response.set("Allow", found.allowed.to_allow_header());
      }
      response.route = found.route->name;
      break;
    }
  }
  finish(response);
  co_return response;
}

}  // namespace common::http
