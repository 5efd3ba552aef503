// JetStream: the stored, acknowledged layer over one Connection (libnats's jsCtx underneath).
// It declares streams and durable consumers idempotently (ground control runs ensure_* at
// every start, several replicas at once), publishes with a message id so that a retried
// publish is stored once, deletes a stored message by sequence, and reads a consumer's
// counters. Satellites only bind to consumers (PullSubscription) and need none of the admin
// calls, so their permissions can stay minimal (docs/adr/0008-nats-command-channel.md).
//
// Ownership: borrows the Connection, which must outlive it. Move-only.
// Thread-safety: every call is safe from any thread; each call blocks for one JetStream API
// round trip, at most `JetStreamOptions::timeout`. While the connection is down every call
// fails at once with kUnavailable (rather than waiting out the timeout in libnats's
// reconnect buffer), so ground control's outbox keeps a command `pending` and moves on.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace common::nats {

class Connection;

namespace detail {
struct JetStreamCore;
}

struct JetStreamOptions {
  // Longest wait for one JetStream API answer or publish acknowledgement.
  std::chrono::milliseconds timeout{5000};
  // The JetStream domain to address ("" the one of the server connected to): a client
  // behind a leaf node names the hub's domain, so its API calls cross the leaf connection.
  std::string domain;
};

enum class Retention {
  kLimits,     // messages stay until the stream's limits (max_age) remove them
  kWorkQueue,  // a message leaves the stream once a consumer acks it
};

enum class Storage { kFile, kMemory };

struct StreamSpec {
  std::string name;                   // e.g. "SATELLITE_COMMANDS"
  std::vector<std::string> subjects;  // e.g. {"*.command.>"}
  Retention retention = Retention::kWorkQueue;
  Storage storage = Storage::kFile;
  std::chrono::seconds max_age{0};  // 0: messages never expire by age
  // Bounds on what the stream holds; past one, the oldest messages are dropped. 0: none.
  std::int64_t max_bytes = 0;
  std::int64_t max_messages_per_subject = 0;
  // How long a Nats-Msg-Id is remembered for dedupe; must not exceed a non-zero max_age.
  std::chrono::milliseconds duplicate_window{std::chrono::minutes(2)};
};

// A durable pull consumer with explicit acks, delivering everything the stream holds.
struct ConsumerSpec {
  std::string durable;         // e.g. "sat-edge-1"; no dots
  std::string filter_subject;  // e.g. "edge-1.command.>"; empty: the whole stream
  // Time a delivered message may stay unacked before the server delivers it again
  // (JsMessage::in_progress restarts it).
  std::chrono::milliseconds ack_wait{std::chrono::seconds(30)};
  std::int64_t max_deliver = -1;  // deliveries before the server gives up; -1: no limit
};

struct PublishAck {
  std::string stream;
  std::uint64_t sequence = 0;  // the stream sequence (kept to delete the message later)
  bool duplicate = false;      // the msg id was seen within the window: nothing stored
};

struct ConsumerInfo {
  std::uint64_t num_pending = 0;     // stored, matching, not yet delivered
  std::int64_t num_ack_pending = 0;  // delivered, not yet acked
  std::int64_t num_redelivered = 0;  // delivered more than once, not yet acked
};

class JetStream {
 public:
  // A context on `connection`, which need not be connected yet (a process started while
  // NATS is down makes its context at once). Errors: kResourceExhausted (out of memory).
  [[nodiscard]] static Result<JetStream> create(Connection& connection,
                                                JetStreamOptions options = {});
  JetStream(JetStream&& other) noexcept;
  JetStream& operator=(JetStream&& other) noexcept;
  ~JetStream();

  // Creates the stream, or updates it when it exists with another config; a no-op when it
  // matches. Errors: kConflict (a change the server cannot make, e.g. retention, or subjects
  // overlapping another stream), kInvalidArgument, kTimeout, kUnavailable (JetStream off).
  [[nodiscard]] Status ensure_stream(const StreamSpec& spec);

  // Creates the durable consumer on `stream`, or updates it when its config differs.
  // Errors: kNotFound (no such stream), kConflict, kInvalidArgument, kTimeout, kUnavailable.
  [[nodiscard]] Status ensure_consumer(std::string_view stream, const ConsumerSpec& spec);

  // Stores `data` in the stream that captures `subject`; `msg_id` (Nats-Msg-Id, may be
  // empty) dedupes within the stream's duplicate window. Errors: kTimeout (no
  // acknowledgement: it may or may not be stored, so retry with the same msg_id),
  // kUnavailable (no stream captures the subject, or not connected).
  [[nodiscard]] Result<PublishAck> publish(std::string_view subject, std::string_view data,
                                           std::string_view msg_id);

  // publish for each of a batch, pipelined: all are sent before the first acknowledgement
  // is awaited (one round trip, not one per message; at most `timeout` in all). The
  // outcome of each, in order; kTimeout for those unacknowledged by then.
  struct Outgoing {
    std::string_view subject;
    std::string_view data;
    std::string_view msg_id;
  };
  [[nodiscard]] std::vector<Result<PublishAck>> publish_all(std::span<const Outgoing> batch);

  // Removes message `sequence` from `stream` (a consumer no longer gets it).
  // Errors: kNotFound (no such stream or message), kTimeout, kUnavailable.
  [[nodiscard]] Status delete_message(std::string_view stream, std::uint64_t sequence);

  // The names of the stream's consumers (every page). Errors: kNotFound (no such stream),
  // kTimeout, kUnavailable.
  [[nodiscard]] Result<std::vector<std::string>> consumer_names(std::string_view stream);

  // Removes the durable consumer (what it had delivered unacked stays in the stream).
  // Errors: kNotFound (no such stream or consumer), kTimeout, kUnavailable.
  [[nodiscard]] Status delete_consumer(std::string_view stream, std::string_view durable);

  // Removes every message of `stream` on subjects matching `subject` (wildcards allowed).
  // Errors: kNotFound (no such stream), kTimeout, kUnavailable.
  [[nodiscard]] Status purge_subject(std::string_view stream, std::string_view subject);

  // The consumer's counters. Errors: kNotFound (no such stream or consumer), kTimeout.
  [[nodiscard]] Result<ConsumerInfo> consumer_info(std::string_view stream,
                                                   std::string_view durable);

 private:
  friend class PullSubscription;
  explicit JetStream(std::unique_ptr<detail::JetStreamCore> core) noexcept;

  std::unique_ptr<detail::JetStreamCore> core_;
};

}  // namespace common::nats
