// watch_stream(): the body of one `?watch=true` list call, as Kubernetes streams a watch:
// newline-delimited JSON events, each a line of its own, sent as they happen:
//   {"type":"ADDED"|"MODIFIED"|"DELETED","object":{…the resource…}}  per change of the kind
//       after the start revision that matches the label selector, oldest first, its
//       metadata.resourceVersion the change's revision (a DELETED one's: the deletion's);
//   {"type":"BOOKMARK","object":{"apiVersion","kind","metadata":{"resourceVersion":"N"}}}
//       after kBookmarkEvery without an event: the revision reached, to resume from (it
//       also keeps a quiet stream from looking stalled to proxies and clients);
//   {"type":"ERROR","object":{"error":{"code","message"}}}  when the change log cannot be
//       read (GONE when it no longer reaches back: list again); the stream ends after it.
// The stream ends at its deadline (the call's timeoutSeconds), when the client goes away
// and when the server stops. A change through any replica reaches the stream through the
// service's change notification, as it wakes a long-poll.
// Lifetime: the service and pool outlive the server's connections; `context` is the
// request's (valid until the body ends, as StreamBody promises).
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <chrono>

#include "common/http/request_context.hpp"
#include "common/http/response.hpp"
#include "common/http/wakeup.hpp"
#include "groundcontrol/model/kind.hpp"
#include "groundcontrol/service/resource_service.hpp"

namespace groundcontrol::api {

// Quiet time after which a stream sends a BOOKMARK.
inline constexpr std::chrono::seconds kBookmarkEvery{15};

struct WatchStreamSpec {
  model::Kind kind;
  service::WatchQuery query;  // query.after: the revision `first` was read from
  std::chrono::steady_clock::time_point deadline;  // on the context's clock
  service::WatchResult first;  // the handler's first read (its errors are HTTP statuses)
  // Armed with the service's change notification before that read: until it fires, the
  // read is current and the stream need not read again.
  std::shared_ptr<common::http::Wakeup> armed;
};

[[nodiscard]] common::http::StreamBody watch_stream(service::ResourceService& service,
                                                    boost::asio::thread_pool& pool,
                                                    common::http::RequestContext& context,
                                                    WatchStreamSpec spec);

}  // namespace groundcontrol::api
