// ConnectionOptions: everything Connection::connect needs, one field per knob with its
// default. Defaults suit a long-running process on an unreliable link: it keeps trying the
// initial connect while NATS is down and reconnects forever, so a process never has to
// restart because the broker went away. Plain data; copy freely.
//
// Callbacks run on libnats's threads (never on the caller's), must not block for long (one
// thread serves every state and error callback of the process) and must not destroy the
// Connection they belong to. An exception they throw is caught and dropped.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace common::nats {

enum class ConnectionState {
  kConnected,     // the first connection came up after connect() returned while NATS was down
  kDisconnected,  // the link is lost; libnats is reconnecting (publishes are buffered);
                  // also reported just before kClosed when a live link is closed
  kReconnected,   // the link is back; subscriptions were restored by libnats
  // For good; no further callback follows. After close() or the destructor, or when libnats
  // gives up on credentials: the server refused the first connect (libnats 3.4.1 does not
  // retry that, retry_on_failed_connect or not), or refused a reconnect with the same error
  // twice in a row (an expired or revoked user JWT). The owner then makes a new Connection
  // (once it has valid credentials); nothing else ends the reconnecting.
  kClosed,
};

struct TlsOptions {
  bool required = false;  // refuse a server that does not offer TLS
  std::string ca_file;    // PEM file of CAs trusted for the server's certificate
  std::string ca_pem;     // the same as PEM text (e.g. ground control's CA bundle in memory)
  std::string cert_file;  // client certificate (PEM) for mutual TLS; with key_file
  std::string key_file;   // its private key (PEM)
  // The name every server's certificate must carry; empty: each server's URL host (Debian's
  // libnats is built with NATS_FORCE_HOST_VERIFICATION, so the name is always checked).
  std::string host_name;
};

struct ConnectionOptions {
  // Server URLs, e.g. "nats://10.0.0.1:4222" or "tls://nats.example:4222"; at least one.
  std::vector<std::string> servers;
  // Shown by the server's monitoring (connz); e.g. the satellite's name.
  std::string name;
  // TLS is on when `tls.required` or any CA/certificate field is set.
  TlsOptions tls;

  // JWT authentication (operator mode): both or neither. `user_jwt` returns the user JWT
  // (asked on every connect and reconnect, so a refreshed JWT is picked up); `sign_nonce`
  // returns the raw 64-byte Ed25519 signature of the server's nonce with the user's nkey.
  // An empty result fails that connect attempt (libnats retries as for any failure).
  // libnats 3.4.1 drops a signature whose first byte is 0, so 1 connect attempt in 256 is
  // refused with "Authorization Violation": a reconnect then retries, a first connect ends
  // in kClosed (above), and the owner connects again.
  std::function<std::string()> user_jwt;
  std::function<std::string(std::string_view nonce)> sign_nonce;

  // Prefix of reply subjects (requests, JetStream API and pull replies), e.g.
  // "_INBOX_sat-1" when the user may subscribe only to "_INBOX_sat-1.>". Empty: "_INBOX".
  std::string inbox_prefix;

  // Keep retrying the first connect in the background (connect() then succeeds with
  // connected() false) instead of failing when no server answers.
  bool retry_on_failed_connect = true;
  // Time for one connect attempt (TCP + TLS + CONNECT) to one server.
  std::chrono::milliseconds connect_timeout{2000};
  // Pause between reconnect rounds, plus up to `reconnect_jitter` (TLS:
  // `reconnect_jitter_tls`) at random so a fleet does not reconnect in step.
  std::chrono::milliseconds reconnect_wait{2000};
  std::chrono::milliseconds reconnect_jitter{500};
  std::chrono::milliseconds reconnect_jitter_tls{2000};
  // How often the client pings; two missed pongs count as a lost link.
  std::chrono::milliseconds ping_interval{30000};

  // Connection state changes (see ConnectionState).
  std::function<void(ConnectionState)> on_state;
  // Errors the server reports asynchronously, as text: permission violations
  // ("Permissions Violation for Publish to ..."), slow consumers.
  std::function<void(std::string_view message)> on_async_error;
};

}  // namespace common::nats
