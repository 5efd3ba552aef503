#include "satellite/fleet/device_identity.hpp"

#include <openssl/x509.h>
#include <sys/stat.h>

#include <filesystem>

#include "common/crypto/certificate_request.hpp"
#include "common/crypto/openssl_handles.hpp"
#include "common/fs/file_ops.hpp"
#include "common/fs/secret_file.hpp"

namespace satellite::fleet {
namespace {

using common::ErrorCode;

bool exists(const std::string& path) {
  std::error_code ignored;
  return std::filesystem::exists(path, ignored);
}

}  // namespace

DeviceIdentity::DeviceIdentity(std::string dir, common::crypto::KeyPair key)
    : key_file_(dir + "/key.pem"),
      cert_file_(dir + "/cert.pem"),
      ca_file_(dir + "/ca.pem"),
      key_(std::move(key)) {}

common::Result<DeviceIdentity> DeviceIdentity::open(std::string dir) {
  if (auto made = common::fs::make_dirs(dir); !made) return common::fail(made.error());
  ::chmod(dir.c_str(), 0700);
  const std::string key_file = dir + "/key.pem";
  if (exists(key_file)) {
    auto key = common::crypto::KeyPair::load_private_key_file(key_file);
    if (!key) return common::fail(key.error());
    return DeviceIdentity(std::move(dir), std::move(*key));
  }
  auto key = common::crypto::KeyPair::generate_p256();
  if (!key) return common::fail(key.error());
  if (auto written = key->write_private_key_file(key_file); !written)
    return common::fail(written.error());
  return DeviceIdentity(std::move(dir), std::move(*key));
}

void DeviceIdentity::use_external(std::string certificate_file, std::string key_file) {
  cert_file_ = std::move(certificate_file);
  key_file_ = std::move(key_file);
  external_ = true;
}

std::string DeviceIdentity::external_stamp() const {
  if (!external_) return {};
  std::string stamp;
  for (const auto* file : {&cert_file_, &key_file_}) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(*file, ec);
    const auto modified = std::filesystem::last_write_time(*file, ec);
    stamp +=
        ec ? std::string("-;")
           : std::to_string(size) + "@" + std::to_string(modified.time_since_epoch().count()) + ";";
  }
  return stamp;
}

bool DeviceIdentity::trusts_ground_control() const {
  return exists(ca_file_);
}
bool DeviceIdentity::enrolled() const {
  return exists(cert_file_) && (!external_ || exists(key_file_));
}

common::Result<std::string> DeviceIdentity::csr_pem() const {
  auto csr = common::crypto::CertificateRequest::create(key_, "satellite");
  if (!csr) return common::fail(csr.error());
  return csr->pem();
}

common::Status DeviceIdentity::store_trust(std::string_view ca_bundle_pem) const {
  if (auto cert = parse_certificate_pem(ca_bundle_pem); !cert)
    return common::fail(ErrorCode::kInvalidArgument,
                        "ground control's CA bundle: not a certificate");
  return common::fs::write_secret_file(ca_file_, ca_bundle_pem);
}

common::Status DeviceIdentity::store_certificate(std::string_view certificate_pem,
                                                 std::string_view ca_bundle_pem) const {
  auto cert = parse_certificate_pem(certificate_pem);
  if (!cert) return common::fail(cert.error());
  if (X509_check_private_key(cert->get(), key_.native()) != 1)
    return common::fail(ErrorCode::kInvalidArgument,
                        "the certificate ground control sent is not for this device's key");
  if (auto stored = store_trust(ca_bundle_pem); !stored) return stored;
  return common::fs::write_secret_file(cert_file_, certificate_pem);
}

common::Result<CertificateValidity> DeviceIdentity::validity() const {
  auto pem = common::fs::read_secret_file(cert_file_, 64 * 1024);
  if (!pem) return common::fail(pem.error());
  auto cert = parse_certificate_pem(*pem);
  if (!cert) return common::fail(cert.error());
  return validity_of(cert->get());
}

}  // namespace satellite::fleet
