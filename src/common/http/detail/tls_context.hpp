// TLS for server.cpp: building the OpenSSL server context from ServerConfig's TlsConfig
// (certificate chain, key, client CA bundle, client verification mode), and reading the
// verified client certificate of a finished handshake into a PeerIdentity. Sessions resume
// from tickets (no server-side cache), sealed with TlsConfig::session_tickets when given.
// Ownership: a context is shared by the connections accepted while it was current, each
// holding a shared_ptr, so a reload never frees a context a connection still uses.
// Thread-safety: a built context is only read afterwards (OpenSSL allows that from any
// thread); the functions keep no state.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>

#include "common/clock.hpp"
#include "common/http/peer_identity.hpp"
#include "common/http/server.hpp"
#include "common/result.hpp"

namespace common::http::detail {

// A server context for `tls`, resuming sessions from tickets (sealed with
// tls.session_tickets, the period read from `clock`, which must outlive the context);
// kInvalidArgument naming the file when the certificate, key or client CA bundle cannot be
// loaded, the key does not match the certificate, or client verification is on without a CA
// bundle.
[[nodiscard]] Result<std::shared_ptr<boost::asio::ssl::context>> make_server_context(
    const TlsConfig& tls, const Clock& clock);

// The identity in the client certificate of `ssl`'s finished handshake when the chain
// verified; nullopt when the client sent none (or verification is off).
std::optional<PeerIdentity> verified_peer(SSL* ssl);

}  // namespace common::http::detail
