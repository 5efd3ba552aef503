#include "satellite/fleet/serving_certificate_keeper.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/x509.h>
#include <spdlog/logger.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "common/crypto/certificate_request.hpp"
#include "common/fs/secret_file.hpp"
#include "common/time_format.hpp"

namespace satellite::fleet {
namespace {

using common::ErrorCode;

constexpr std::size_t kMaxPemBytes = 256 * 1024;

std::string_view reason_text(ServingDue due) {
  switch (due) {
    case ServingDue::kMissing:
      return "none held";
    case ServingDue::kNamesChanged:
      return "the configured names changed";
    case ServingDue::kRenewal:
      return "renewal";
    case ServingDue::kNo:
      break;
  }
  return "";
}

std::vector<std::string> normalized(std::vector<std::string> names) {
  for (auto& name : names)
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

// The certificate in `pem` when it is for `key`: its validity and names.
common::Result<std::pair<CertificateValidity, std::vector<std::string>>> read_for_key(
    std::string_view pem, const common::crypto::KeyPair& key) {
  auto cert = parse_certificate_pem(pem);
  if (!cert) return common::fail(cert.error());
  if (X509_check_private_key(cert->get(), key.native()) != 1)
    return common::fail(ErrorCode::kInvalidArgument,
                        "the serving certificate is not for the device's serving key");
  return std::pair{validity_of(cert->get()), subject_alt_names(cert->get())};
}

}  // namespace

bool same_names(std::vector<std::string> held, std::vector<std::string> wanted) {
  return normalized(std::move(held)) == normalized(std::move(wanted));
}

ServingCertificateKeeper::ServingCertificateKeeper(ServingFiles files, common::crypto::KeyPair key,
                                                   std::optional<Held> held,
                                                   const common::Clock& clock,
                                                   common::log::Logger logger,
                                                   agent::RetryPolicy retry,
                                                   std::function<double()> uniform)
    : files_(std::move(files)),
      key_(std::move(key)),
      held_(std::move(held)),
      clock_(&clock),
      logger_(std::move(logger)),
      retry_(retry),
      uniform_(std::move(uniform)),
      random_(std::random_device{}()) {}

common::Result<ServingCertificateKeeper> ServingCertificateKeeper::open(
    const std::string& dir, const common::Clock& clock, common::log::Logger logger,
    agent::RetryPolicy retry, std::function<double()> uniform) {
  ServingFiles files{dir + "/serving-key.pem", dir + "/serving-cert.pem", dir + "/serving-ca.pem"};
  std::error_code ignored;
  auto key = std::filesystem::exists(files.key_file, ignored)
                 ? common::crypto::KeyPair::load_private_key_file(files.key_file)
                 : common::crypto::KeyPair::generate_p256();
  if (!key) return common::fail(key.error());
  if (!std::filesystem::exists(files.key_file, ignored)) {
    if (auto written = key->write_private_key_file(files.key_file); !written)
      return common::fail(written.error());
  }
  std::optional<Held> held;
  auto pem = common::fs::read_secret_file(files.certificate_file, kMaxPemBytes);
  if (!pem && pem.error().code() != ErrorCode::kNotFound) return common::fail(pem.error());
  if (pem) {
    if (auto read = read_for_key(*pem, *key)) {
      held = Held{read->first, std::move(read->second)};
    } else {
      logger->warn("{}: {}; asking for a new one", files.certificate_file, read.error().message());
    }
  }
  return ServingCertificateKeeper(std::move(files), std::move(*key), std::move(held), clock,
                                  std::move(logger), retry, std::move(uniform));
}

std::vector<std::string> ServingCertificateKeeper::certificate_names() const {
  return held_ ? held_->names : std::vector<std::string>{};
}

void ServingCertificateKeeper::set_names(std::vector<std::string> names) {
  if (same_names(names, names_)) return;
  names_ = std::move(names);
  failures_ = 0;
  retry_at_ = {};
}

ServingDue ServingCertificateKeeper::due() const {
  if (names_.empty()) return ServingDue::kNo;
  if (!held_) return ServingDue::kMissing;
  // Ground control may spell a name otherwise than the config (an address): once it
  // issued for these names, its answer stands until they change.
  if (!same_names(held_->names, names_) && !same_names(asked_for_, names_))
    return ServingDue::kNamesChanged;
  if (needs_renewal(held_->validity, clock_->now())) return ServingDue::kRenewal;
  return ServingDue::kNo;
}

common::Result<bool> ServingCertificateKeeper::maintain(const Issue& issue,
                                                        const Installed& installed) {
  const auto why = due();
  if (why == ServingDue::kNo || clock_->steady_now() < retry_at_) return false;
  if (auto asked = ask(issue); !asked) {
    note_failure();
    return common::fail(asked.error());
  }
  failures_ = 0;
  retry_at_ = {};
  logger_->info("serving certificate for {} until {} ({})", fmt::join(held_->names, ", "),
                common::format_rfc3339(held_->validity.not_after), reason_text(why));
  if (installed) installed(files_);
  return true;
}

common::Status ServingCertificateKeeper::ask(const Issue& issue) {
  auto csr = common::crypto::CertificateRequest::create(key_, names_.front());
  if (!csr) return common::fail(csr.error());
  auto csr_pem = csr->pem();
  if (!csr_pem) return common::fail(csr_pem.error());
  auto answer = issue(*csr_pem);
  if (!answer) return common::fail(answer.error());
  return store(*answer);
}

common::Status ServingCertificateKeeper::store(const Enrollment& answer) {
  auto read = read_for_key(answer.certificate_pem, key_);
  if (!read) return common::fail(read.error());
  if (auto ca = parse_certificate_pem(answer.ca_bundle_pem); !ca)
    return common::fail(ErrorCode::kInvalidArgument,
                        "the serving certificate's CA bundle: not a certificate");
  // The CA first: a crash in between leaves the old certificate with a bundle that still
  // holds its CA (ground control's bundle keeps the previous CA through a rotation).
  if (auto stored = common::fs::write_secret_file(files_.ca_file, answer.ca_bundle_pem); !stored)
    return stored;
  if (auto stored = common::fs::write_secret_file(files_.certificate_file, answer.certificate_pem);
      !stored)
    return stored;
  held_ = Held{read->first, std::move(read->second)};
  asked_for_ = names_;
  return {};
}

void ServingCertificateKeeper::note_failure() {
  ++failures_;
  const double u =
      uniform_ ? uniform_() : std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  retry_at_ = clock_->steady_now() + agent::retry_delay(retry_, failures_, u);
}

}  // namespace satellite::fleet
