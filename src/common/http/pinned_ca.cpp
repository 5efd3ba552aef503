#include "common/http/pinned_ca.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <vector>

#include "common/crypto/openssl_handles.hpp"

namespace common::http {
namespace {

using common::ErrorCode;
using common::fail;
using common::Result;

std::string fingerprint_of(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  X509_digest(cert, EVP_sha256(), digest, &length);
  std::string out;
  for (unsigned int i = 0; i < length; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}

}  // namespace

Result<std::string> parse_fingerprint(std::string_view text) {
  const auto bad = [&] {
    return fail(ErrorCode::kInvalidArgument,
                "--ca-fingerprint: expected sha256:<64 hex digits> of the CA certificate");
  };
  if (!text.starts_with("sha256:")) return bad();
  text.remove_prefix(7);
  std::string hex;
  for (const char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return bad();
    hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (hex.size() != 64) return bad();
  return hex;
}

Result<std::string> fetch_pinned_ca(std::string_view url, std::string_view fingerprint) {
  if (!url.starts_with("https://"))
    return fail(ErrorCode::kInvalidArgument,
                "a pinned CA needs ground control at https://HOST:PORT");
  auto host_port = std::string(url.substr(8));
  if (const auto slash = host_port.find('/'); slash != std::string::npos) host_port.resize(slash);
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  if (!ctx) return fail(ErrorCode::kInternal, "TLS context");
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);  // the pin decides, below
  common::crypto::BioPtr bio(BIO_new_ssl_connect(ctx.get()));
  if (!bio) return fail(ErrorCode::kInternal, "TLS connection");
  BIO_set_conn_hostname(bio.get(), host_port.c_str());
  SSL* ssl = nullptr;
  BIO_get_ssl(bio.get(), &ssl);
  const auto host = host_port.substr(0, host_port.rfind(':'));
  SSL_set_tlsext_host_name(ssl, host.c_str());
  if (BIO_do_connect(bio.get()) <= 0 || BIO_do_handshake(bio.get()) <= 0) {
    ERR_clear_error();
    return fail(ErrorCode::kUnavailable,
                fmt::format("cannot reach ground control at {} to check its CA", url));
  }
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  std::vector<std::string> presented;
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    X509* cert = sk_X509_value(chain, i);
    const auto fp = fingerprint_of(cert);
    presented.push_back(fp);
    if (fp != fingerprint || X509_check_ca(cert) == 0) continue;
    auto out = common::crypto::memory_bio();
    PEM_write_bio_X509(out.get(), cert);
    char* data = nullptr;
    const long size = BIO_get_mem_data(out.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
  }
  return fail(ErrorCode::kPermissionDenied,
              fmt::format("ground control at {} presents no CA certificate with "
                          "fingerprint sha256:{} (it presents {}): refusing to trust it",
                          url, fingerprint, fmt::join(presented, ", ")));
}

}  // namespace common::http
