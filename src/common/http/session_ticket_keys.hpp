// SessionTicketKeys: the keys that seal and open TLS session tickets (RFC 8446 §4.6.1,
// RFC 5077), derived from one secret so that every server process holding the secret opens
// the tickets any of them issued. A client that reconnects to another replica, or to this one
// after a restart or a certificate reload, resumes its session instead of paying a full
// handshake: after a replica dies, the survivor takes over its clients' connections at a
// fraction of the CPU (the failover handshake storm, docs/scale.md).
// Rotation without coordination: wall-clock time is cut into periods of kPeriod, and each
// period's key is HKDF-SHA256(secret, label, period index). Tickets are sealed with the current
// period's key and opened with the previous, current or next one (the next: a replica whose
// clock runs ahead by less than a period), so a ticket lives at most kTicketLifetime and a key
// is used for at most three periods. One opened with a key other than the current asks for a
// new ticket (renew).
// A different label derives unrelated keys: each listener has its own, so a session made on
// one is never resumed on another.
// Resumption keeps the peer certificate the full handshake verified; what depends on time
// (expiry, revocation) must be checked per request, as ground control does.
// Immutable once made; thread-safe. The secret is not kept, only the HKDF pseudo-random key.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace common::http {

class SessionTicketKeys {
 public:
  static constexpr std::chrono::hours kPeriod{6};
  // What the server tells clients a ticket is worth (SSL_CTX_set_timeout); below kPeriod so
  // that a ticket is never older than the previous period's key.
  static constexpr std::chrono::hours kTicketLifetime{2};
  static constexpr std::size_t kNameSize = 16;  // OpenSSL's ticket key name

  // One period's key: the name that tickets carry in clear, an AES-256-CBC key and an
  // HMAC-SHA256 key (what OpenSSL's ticket format uses).
  struct Key {
    std::array<unsigned char, kNameSize> name{};
    std::array<unsigned char, 32> cipher{};
    std::array<unsigned char, 32> mac{};
  };
  struct Opening {
    Key key;
    bool renew = false;  // opened with a key other than the current period's
  };

  // The keyring of `secret` (at least 32 bytes of key material: ground control passes its
  // master key) for `label` (which listener). Cannot fail.
  static SessionTicketKeys derive(std::span<const unsigned char> secret, std::string_view label);

  // The key to seal a new ticket with at `now`.
  Key sealing(std::chrono::system_clock::time_point now) const;
  // The key whose name a presented ticket carries, when it is one of the previous, current or
  // next period's at `now`; nullopt otherwise (the client gets a full handshake).
  std::optional<Opening> opening(std::span<const unsigned char, kNameSize> name,
                                 std::chrono::system_clock::time_point now) const;

  ~SessionTicketKeys();
  SessionTicketKeys(const SessionTicketKeys& other) = default;
  SessionTicketKeys& operator=(const SessionTicketKeys& other) = default;

 private:
  SessionTicketKeys() = default;
  Key key_of(std::int64_t period) const;
  std::array<unsigned char, 32> prk_{};  // HKDF-Extract(salt = label, secret)
};

}  // namespace common::http
