// ServerTlsFiles: the files both listeners' TLS reads, under <data_dir>/tls: ca.crt, the
// bundle of ground control's own CAs (both while a rotation is under way); client-ca.crt,
// what the satellite listener verifies client certificates against (those CAs and an
// external bundle, a SPIRE server's, when one is trusted); and, unless the operator gave
// certificate files, server.crt (the server certificate for the configured names and the
// CA that issued it) and server.key. write() replaces them
// from a CaSet — at start and after each rotation or retirement — and the listeners then
// re-read them (Server::reload_tls), so no restart is needed.
// Not thread-safe: the app calls write() under its own lock.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "groundcontrol/service/certificate_authorities.hpp"

namespace groundcontrol::app {

struct ServerTlsConfig {
  std::string data_dir;
  std::string given_cert_file;  // the operator's own server certificate, or empty
  std::string given_key_file;
  std::vector<std::string> server_names;  // DNS names and IP addresses for our own certificate
};

class ServerTlsFiles {
 public:
  explicit ServerTlsFiles(ServerTlsConfig config);

  // Writes the bundle of `cas` and, unless given, a server certificate from
  // cas.server_issuer(). kUnavailable when a file cannot be written; the CA's errors
  // (kInvalidArgument for a bad server name).
  [[nodiscard]] common::Status write(const service::CaSet& cas);

  // The external CA bundle (PEM) client-ca.crt holds besides our own CAs from the next
  // write() on; empty: none.
  void trust_external(std::string pem) { external_pem_ = std::move(pem); }

  const std::string& ca_file() const noexcept { return ca_file_; }
  const std::string& client_ca_file() const noexcept { return client_ca_file_; }
  const std::string& cert_file() const noexcept { return cert_file_; }
  const std::string& key_file() const noexcept { return key_file_; }

 private:
  const ServerTlsConfig config_;
  std::string ca_file_, client_ca_file_, cert_file_, key_file_;
  std::string external_pem_;
};

}  // namespace groundcontrol::app
