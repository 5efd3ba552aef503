#include "satellite_identity.hpp"

#include <fmt/format.h>
#include <openssl/pem.h>

#include <filesystem>

#include "common/fs/file_ops.hpp"

namespace fleet_sim {
namespace {

using common::ErrorCode;
using common::fail;

std::string key_path(const std::string& dir, const std::string& name) {
  return dir + "/" + name + ".key";
}
std::string certificate_path(const std::string& dir, const std::string& name) {
  return dir + "/" + name + ".crt";
}

}  // namespace

std::string satellite_name(std::size_t index) {
  return fmt::format("sat-{:06}", index);
}

bool SatelliteIdentity::saved_in(const std::string& dir, const std::string& name) {
  std::error_code ec;
  return std::filesystem::exists(key_path(dir, name), ec) &&
         std::filesystem::exists(certificate_path(dir, name), ec);
}

common::Status SatelliteIdentity::save(const std::string& dir, const std::string& name,
                                       const common::crypto::KeyPair& key,
                                       const std::string& certificate_pem) {
  if (auto ok = key.write_private_key_file(key_path(dir, name)); !ok) return ok;
  return common::fs::atomic_write_file(certificate_path(dir, name), certificate_pem);
}

common::Result<SatelliteIdentity> SatelliteIdentity::load(const std::string& dir,
                                                          const std::string& name) {
  auto key = common::crypto::KeyPair::load_private_key_file(key_path(dir, name));
  if (!key) return fail(key.error());
  auto pem = common::fs::read_file(certificate_path(dir, name));
  if (!pem) return fail(pem.error());
  auto bio = common::crypto::memory_bio(*pem);
  common::crypto::X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!certificate)
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: not a PEM certificate", certificate_path(dir, name)));
  return SatelliteIdentity{name, std::move(*key), std::move(certificate)};
}

common::Result<std::vector<SatelliteIdentity>> load_fleet(const std::string& dir,
                                                          std::size_t count) {
  std::vector<SatelliteIdentity> fleet;
  fleet.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto identity = SatelliteIdentity::load(dir, satellite_name(i));
    if (!identity)
      return fail(identity.error().code(),
                  fmt::format("{}: {} (run --phase enroll first)", satellite_name(i),
                              identity.error().message()));
    fleet.push_back(std::move(*identity));
  }
  return fleet;
}

}  // namespace fleet_sim
