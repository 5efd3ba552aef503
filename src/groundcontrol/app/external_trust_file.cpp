#include "groundcontrol/app/external_trust_file.hpp"

#include <fmt/format.h>

#include "common/fs/file_ops.hpp"
#include "groundcontrol/pki/ca_bundle.hpp"

namespace groundcontrol::app {

common::Result<std::optional<ExternalTrustFile::Bundle>> ExternalTrustFile::reload() {
  using common::ErrorCode;
  std::error_code ec;
  const Stamp stamp{
      std::filesystem::file_size(path_, ec),
      ec ? std::filesystem::file_time_type{} : std::filesystem::last_write_time(path_, ec)};
  if (ec)
    return common::fail(ErrorCode::kInvalidArgument,
                        fmt::format("--external-ca-bundle {}: {}", path_, ec.message()));
  if (read_ && *read_ == stamp) return std::nullopt;
  read_ = stamp;  // a bad file is reported once, not at every check
  auto text = common::fs::read_file(path_);
  if (!text)
    return common::fail(ErrorCode::kInvalidArgument,
                        fmt::format("--external-ca-bundle {}: {}", path_, text.error().message()));
  auto bundle = pki::CaBundle::parse(*text);
  if (!bundle)
    return common::fail(ErrorCode::kInvalidArgument, fmt::format("--external-ca-bundle {}: {}",
                                                                 path_, bundle.error().message()));
  auto trust = std::make_shared<api::ExternalTrust>();
  for (auto& fingerprint : bundle->fingerprints()) trust->anchors.insert(std::move(fingerprint));
  trust->spiffe_prefix = spiffe_prefix_;
  return Bundle{bundle->pem(), std::move(trust)};
}

}  // namespace groundcontrol::app
