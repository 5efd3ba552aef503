#include "common/http/detail/tls_context.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace common::http::detail {
namespace {

namespace ssl = boost::asio::ssl;

// What the ticket callback needs: the keys and the clock that picks the period. It lives
// beside the context it serves (ServerContext), so it dies only after every connection.
struct TicketSealer {
  std::shared_ptr<const SessionTicketKeys> keys;
  const Clock* clock;
};

struct ServerContext {
  TicketSealer sealer;
  ssl::context context{ssl::context::tls_server};
};

// The SSL_CTX ex_data slot holding a context's TicketSealer. OpenSSL hands out the index
// once per process; it never changes afterwards.
int sealer_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// OpenSSL's ticket key callback (SSL_CTX_set_tlsext_ticket_key_evp_cb): sets up the cipher
// and MAC that seal (encrypt = 1) or open a ticket. Returns 1, 2 to open and ask for a new
// ticket, or 0: no ticket issued / a full handshake instead.
int ticket_key(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
               EVP_MAC_CTX* mac, int encrypt) {
  const auto* sealer =
      static_cast<const TicketSealer*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), sealer_index()));
  if (sealer == nullptr) return 0;
  const auto now = sealer->clock->now();
  SessionTicketKeys::Key key;
  int opened = 1;
  if (encrypt == 1) {
    key = sealer->keys->sealing(now);
    std::copy(key.name.begin(), key.name.end(), name);
    if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) return 0;
  } else {
    auto opening =
        sealer->keys->opening(std::span<const unsigned char, SessionTicketKeys::kNameSize>(
                                  name, SessionTicketKeys::kNameSize),
                              now);
    if (!opening) return 0;
    key = opening->key;
    opened = opening->renew ? 2 : 1;
  }
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.mac.data(), key.mac.size()),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end()};
  const bool ready =
      EVP_CipherInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.cipher.data(), iv, encrypt) == 1 &&
      EVP_MAC_CTX_set_params(mac, params) == 1;
  OPENSSL_cleanse(&key, sizeof key);
  if (!ready) ERR_clear_error();
  return ready ? opened : 0;
}

// Sessions resume only where they were made the same way: the client certificate mode is
// part of the session id context (at most 32 bytes).
std::string session_context(ClientCertMode mode) {
  switch (mode) {
    case ClientCertMode::kOff:
      return "common::http/off";
    case ClientCertMode::kOptional:
      return "common::http/optional";
    case ClientCertMode::kRequired:
      return "common::http/required";
  }
  return "common::http";
}

// Resumption: tickets only, no server-side session cache (which would hold a session per
// client, each with its peer's certificate), one ticket per handshake, and the ticket
// lifetime that SessionTicketKeys' rotation allows. With keys, tickets are sealed with them.
void enable_resumption(SSL_CTX* native, const TlsConfig& tls) {
  const std::string context = session_context(tls.client_certs);
  SSL_CTX_set_session_id_context(native, reinterpret_cast<const unsigned char*>(context.data()),
                                 static_cast<unsigned>(context.size()));
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(native, 1);
  SSL_CTX_set_timeout(native, std::chrono::seconds(SessionTicketKeys::kTicketLifetime).count());
  if (tls.session_tickets) SSL_CTX_set_tlsext_ticket_key_evp_cb(native, ticket_key);
}

std::string text_of(const ASN1_STRING* value) {
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
          static_cast<std::size_t>(ASN1_STRING_length(value))};
}

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex.push_back(kDigits[data[i] >> 4]);
    hex.push_back(kDigits[data[i] & 0xf]);
  }
  return hex;
}

std::string common_name(X509* cert) {
  const X509_NAME* subject = X509_get_subject_name(cert);
  const int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (at < 0) return {};
  unsigned char* utf8 = nullptr;
  const int length =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at)));
  if (length < 0) return {};
  std::string name(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return name;
}

void read_sans(X509* cert, PeerIdentity& identity) {
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_URI)
      identity.uri_sans.push_back(text_of(name->d.uniformResourceIdentifier));
    if (name->type == GEN_DNS) identity.dns_sans.push_back(text_of(name->d.dNSName));
  }
  GENERAL_NAMES_free(names);
}

std::string serial_hex(X509* cert) {
  BIGNUM* number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  if (number == nullptr) return {};
  char* hex = BN_bn2hex(number);
  std::string text = hex ? hex : "";
  OPENSSL_free(hex);
  BN_free(number);
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::chrono::system_clock::time_point not_after(X509* cert) {
  std::tm parts{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &parts) != 1) return {};
  return std::chrono::system_clock::from_time_t(::timegm(&parts));
}

std::string sha256_of(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &size) != 1) return {};
  return to_hex(digest, size);
}

// The trust anchor the client's chain ends in: the last certificate of the chain the
// handshake verified, or, for a resumed session (which keeps the peer's certificates but
// not the chain built from them), of the chain built again now against the context's
// store, so a CA taken out of the bundle since no longer vouches for it. Empty when no
// chain can be built.
std::string anchor_sha256(SSL* ssl, X509* leaf) {
  if (STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl); chain && sk_X509_num(chain) > 0)
    return sha256_of(sk_X509_value(chain, sk_X509_num(chain) - 1));
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> verify(X509_STORE_CTX_new(),
                                                                         X509_STORE_CTX_free);
  if (!verify || X509_STORE_CTX_init(verify.get(), SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl)),
                                     leaf, SSL_get_peer_cert_chain(ssl)) != 1)
    return {};
  X509_STORE_CTX_set_purpose(verify.get(), X509_PURPOSE_SSL_CLIENT);
  std::string anchor;
  if (X509_verify_cert(verify.get()) == 1) {
    STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(verify.get());
    if (built && sk_X509_num(built) > 0)
      anchor = sha256_of(sk_X509_value(built, sk_X509_num(built) - 1));
  }
  ERR_clear_error();
  return anchor;
}

// The reason OpenSSL gave for the last failure, for the error's detail.
std::string openssl_reason(const boost::system::error_code& ec) {
  ERR_clear_error();
  return ec.message();
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_server_context(const TlsConfig& tls,
                                                          const Clock& clock) {
  auto holder = std::make_shared<ServerContext>();
  holder->sealer = TicketSealer{tls.session_tickets, &clock};
  // Aliasing: the connections hold the context, and with it the sealer beside it.
  std::shared_ptr<ssl::context> context(holder, &holder->context);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  context->use_certificate_chain_file(tls.cert_file, ec);
  if (ec)
    return fail(ErrorCode::kInvalidArgument, "cannot load TLS certificate",
                tls.cert_file + ": " + openssl_reason(ec));
  context->use_private_key_file(tls.key_file, ssl::context::pem, ec);
  if (ec)
    return fail(ErrorCode::kInvalidArgument, "cannot load TLS key",
                tls.key_file + ": " + openssl_reason(ec));
  SSL_CTX* native = context->native_handle();
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return fail(ErrorCode::kInvalidArgument, "TLS key does not match the certificate",
                tls.key_file);
  }
  if (tls.session_tickets && SSL_CTX_set_ex_data(native, sealer_index(), &holder->sealer) != 1) {
    ERR_clear_error();
    return fail(ErrorCode::kInternal, "cannot attach the session ticket keys");
  }
  enable_resumption(native, tls);
  if (tls.client_certs == ClientCertMode::kOff) return context;
  if (tls.client_ca_file.empty())
    return fail(ErrorCode::kInvalidArgument, "client certificate verification needs a CA bundle");
  context->load_verify_file(tls.client_ca_file, ec);
  if (ec)
    return fail(ErrorCode::kInvalidArgument, "cannot load client CA bundle",
                tls.client_ca_file + ": " + openssl_reason(ec));
  // Names the acceptable CAs in the CertificateRequest, so a client holding several
  // certificates picks the right one.
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str()))
    SSL_CTX_set_client_CA_list(native, names);
  ERR_clear_error();
  auto mode = ssl::verify_peer;
  if (tls.client_certs == ClientCertMode::kRequired) mode |= ssl::verify_fail_if_no_peer_cert;
  context->set_verify_mode(mode);
  return context;
}

std::optional<PeerIdentity> verified_peer(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
  PeerIdentity identity;
  identity.subject_cn = common_name(cert);
  read_sans(cert, identity);
  identity.serial_hex = serial_hex(cert);
  identity.sha256_fingerprint = sha256_of(cert);
  identity.anchor_sha256 = anchor_sha256(ssl, cert);
  identity.not_after = not_after(cert);
  return identity;
}

}  // namespace common::http::detail
