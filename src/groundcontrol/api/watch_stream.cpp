#include "groundcontrol/api/watch_stream.hpp"

#include <algorithm>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <variant>

#include "common/http/api_error.hpp"
#include "common/http/offload.hpp"
#include "common/http/wakeup.hpp"
#include "groundcontrol/api/resource_json.hpp"

namespace groundcontrol::api {
namespace {

using common::http::WaitResult;
using nlohmann::json;
using SteadyTime = std::chrono::steady_clock::time_point;

struct State {
  service::ResourceService& service;
  boost::asio::thread_pool& pool;
  common::http::RequestContext& context;
  model::Kind kind;
  service::WatchQuery query;  // query.after: the revision read up to
  SteadyTime deadline;
  SteadyTime quiet_since;                        // when the last line went out
  std::deque<std::string> pending;               // lines made, not yet sent
  std::shared_ptr<common::http::Wakeup> wakeup;  // armed with the service, not yet fired
  bool current = false;  // the log was read after `wakeup` was armed: wait before reading
  bool ended = false;    // no line after `pending`
};

std::string line(json event) {
  return event.dump() + "\n";
}

void add_changes(State& state, const service::WatchResult& result) {
  state.query.after = result.revision;
  for (const auto& change : result.changes) {
    // The change's own revision (for DELETED, the deletion's, after the object's last):
    // where a watch resumes from, as Kubernetes' events carry it.
    auto object = resource_json(change.object);
    object["metadata"]["resourceVersion"] = std::to_string(change.revision);
    state.pending.push_back(
        line({{"type", store::change_type_name(change.type)}, {"object", std::move(object)}}));
  }
}

std::string bookmark(const State& state) {
  return line({{"type", "BOOKMARK"},
               {"object",
                {{"apiVersion", model::kApiVersion},
                 {"kind", model::info(state.kind).name},
                 {"metadata", {{"resourceVersion", std::to_string(state.query.after)}}}}}});
}

std::string error_event(const common::Error& error) {
  const auto response = common::http::api_error_response(error);
  const auto* envelope = std::get_if<std::string>(&response.body);
  return line({{"type", "ERROR"},
               {"object", json::parse(envelope ? *envelope : std::string("{}"), nullptr, false)}});
}

// Adds the stream's next lines to `pending` (the changes after the revision reached, a
// bookmark after a quiet kBookmarkEvery, an error) or marks it ended.
boost::asio::awaitable<void> fill(State& state) {
  for (;;) {
    if (!state.current) {
      // Armed before the read, so a change committed in between still ends the wait.
      if (!state.wakeup || state.wakeup->fired()) {
        state.wakeup = common::http::Wakeup::create();
        state.service.notify_on_change(state.wakeup);
      }
      const auto from = state.query.after;
      auto result = co_await common::http::offload(
          state.pool, [&] { return state.service.watch(state.kind, state.query); });
      if (!result) {
        state.pending.push_back(error_event(result.error()));
        state.ended = true;
        co_return;
      }
      add_changes(state, *result);
      if (!state.pending.empty()) co_return;
      if (result->revision != from) continue;  // a batch of other kinds' changes: read on
    }
    state.current = false;  // however the wait ends, the log is read before the next one
    const auto bookmark_at = state.quiet_since + kBookmarkEvery;
    switch (co_await state.context.wait_until(std::min(state.deadline, bookmark_at),
                                              state.wakeup.get())) {
      case WaitResult::kWoken:
        continue;
      case WaitResult::kCancelled:
        state.ended = true;
        co_return;
      case WaitResult::kDeadline:
        if (state.context.clock().steady_now() >= state.deadline)
          state.ended = true;
        else
          state.pending.push_back(bookmark(state));
        co_return;
    }
  }
}

// A named coroutine holding the state by value: StreamBody::next's lambda only forwards.
boost::asio::awaitable<std::string> next_line(std::shared_ptr<State> state) {
  while (state->pending.empty() && !state->ended) co_await fill(*state);
  if (state->pending.empty()) co_return std::string();
  auto next = std::move(state->pending.front());
  state->pending.pop_front();
  state->quiet_since = state->context.clock().steady_now();
  co_return next;
}

}  // namespace

common::http::StreamBody watch_stream(service::ResourceService& service,
                                      boost::asio::thread_pool& pool,
                                      common::http::RequestContext& context, WatchStreamSpec spec) {
  auto state = std::make_shared<State>(State{service, pool, context, spec.kind, spec.query,
                                             spec.deadline, context.clock().steady_now()});
  // A first read that reached no further than it started from is current until the wakeup
  // armed before it fires; one that did (a batch) may have more behind it.
  state->wakeup = std::move(spec.armed);
  state->current = state->wakeup && spec.first.revision == spec.query.after;
  add_changes(*state, spec.first);
  return common::http::StreamBody{[state] { return next_line(state); }};
}

}  // namespace groundcontrol::api
