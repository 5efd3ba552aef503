#include "groundcontrol/app/server_tls_files.hpp"

#include <filesystem>

#include "common/fs/file_ops.hpp"
#include "common/fs/secret_file.hpp"

namespace groundcontrol::app {
namespace {

namespace fs = std::filesystem;

// How long a server certificate from our CA is valid (re-issued at every start anyway).
constexpr std::chrono::hours kServerCertificateValidity{24 * 90};

}  // namespace

ServerTlsFiles::ServerTlsFiles(ServerTlsConfig config) : config_(std::move(config)) {
  const auto dir = fs::path(config_.data_dir) / "tls";
  ca_file_ = (dir / "ca.crt").string();
  client_ca_file_ = (dir / "client-ca.crt").string();
  const bool given = !config_.given_cert_file.empty();
  cert_file_ = given ? config_.given_cert_file : (dir / "server.crt").string();
  key_file_ = given ? config_.given_key_file : (dir / "server.key").string();
}

common::Status ServerTlsFiles::write(const service::CaSet& cas) {
  std::error_code ec;
  fs::create_directories(fs::path(ca_file_).parent_path(), ec);
  if (auto ok = common::fs::atomic_write_file(ca_file_, cas.bundle.pem()); !ok) return ok;
  if (auto ok = common::fs::atomic_write_file(client_ca_file_, cas.bundle.pem() + external_pem_);
      !ok)
    return ok;
  if (!config_.given_cert_file.empty()) return {};
  std::vector<std::string> names, addresses;
  for (const auto& name : config_.server_names) {
    const bool address = name.find_first_not_of("0123456789.") == std::string::npos ||
                         name.find(':') != std::string::npos;
    (address ? addresses : names).push_back(name);
  }
  auto issued =
      cas.server_issuer().issue_server_certificate(names, addresses, kServerCertificateValidity);
  if (!issued) return common::fail(issued.error());
  if (auto ok = common::fs::write_secret_file(key_file_, issued->key_pem); !ok) return ok;
  return common::fs::atomic_write_file(cert_file_, issued->chain_pem);
}

}  // namespace groundcontrol::app
