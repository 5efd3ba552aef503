#include "satellite/fleet/ground_control_source.hpp"

#include <fmt/format.h>
#include <spdlog/logger.h>

#include "common/fs/file_ops.hpp"
#include "common/http/pinned_ca.hpp"
#include "common/time_format.hpp"

namespace satellite::fleet {

using common::http::fetch_pinned_ca;
using common::http::parse_fingerprint;

using common::ErrorCode;

GroundControlSource::GroundControlSource(
    GroundControlOptions options, DeviceIdentity& identity,
    std::function<void(const common::fleet_wire::SatelliteConfig&)> on_config,
    const common::Clock& clock, common::log::Logger logger)
    : options_(std::move(options)),
      identity_(identity),
      on_config_(std::move(on_config)),
      clock_(clock),
      logger_(std::move(logger)) {}

void GroundControlSource::keep_serving_certificate(ServingCertificateKeeper& keeper,
                                                   ServingCertificateKeeper::Installed installed) {
  serving_ = &keeper;
  serving_installed_ = std::move(installed);
}

std::shared_ptr<GroundControlClient> GroundControlSource::client() const {
  std::lock_guard lock(mutex_);
  return client_;
}

std::string GroundControlSource::config_digest() const {
  std::lock_guard lock(mutex_);
  return config_digest_;
}

common::Status GroundControlSource::remake_client() {
  auto client = GroundControlClient::create(options_.url, identity_, options_.wait);
  if (!client) return common::fail(client.error());
  std::lock_guard lock(mutex_);
  client_ = std::move(*client);
  return {};
}

common::Status GroundControlSource::ensure_trust() {
  if (identity_.trusts_ground_control()) return {};
  if (!options_.ca_file.empty()) {
    auto pem = common::fs::read_file(options_.ca_file);
    if (!pem) return common::fail(pem.error());
    return identity_.store_trust(*pem);
  }
  if (options_.ca_fingerprint.empty())
    return common::fail(ErrorCode::kInvalidArgument,
                        "no trust in ground control: give --ca-file or --ca-fingerprint");
  auto fingerprint = parse_fingerprint(options_.ca_fingerprint);
  if (!fingerprint) return common::fail(fingerprint.error());
  auto pem = fetch_pinned_ca(options_.url, *fingerprint);
  if (!pem) return common::fail(pem.error());
  logger_->info("trusting ground control's CA sha256:{} (pinned)", *fingerprint);
  return identity_.store_trust(*pem);
}

common::Status GroundControlSource::ensure_enrolled() {
  if (identity_.external()) {
    if (!identity_.enrolled())
      return common::fail(ErrorCode::kUnavailable,
                          fmt::format("no identity to present yet: {} and {} (the SPIRE agent "
                                      "writes them)",
                                      identity_.certificate_file(), identity_.key_file()));
    auto stamp = identity_.external_stamp();
    if (client_ && stamp == external_stamp_) return {};
    if (auto made = remake_client(); !made) return made;
    if (!external_stamp_.empty()) logger_->info("presenting the renewed external certificate");
    external_stamp_ = std::move(stamp);
    return {};
  }
  if (identity_.enrolled()) return client_ ? common::Status{} : remake_client();
  if (options_.token.empty() && options_.request_name.empty())
    return common::fail(ErrorCode::kUnauthenticated,
                        "not enrolled with ground control: start once with --token TOKEN, or "
                        "with --enrollment-name NAME for an admin to approve");
  if (auto made = remake_client(); !made) return made;  // without a certificate
  auto csr = identity_.csr_pem();
  if (!csr) return common::fail(csr.error());
  common::Result<Enrollment> enrolled = common::fail(ErrorCode::kInternal, "not enrolled");
  if (!options_.token.empty()) {
    enrolled = client()->enroll(options_.token, *csr);
  } else {
    enrolled = enroll_by_request(*csr);
  }
  if (!enrolled) return common::fail(enrolled.error());
  if (auto stored = identity_.store_certificate(enrolled->certificate_pem, enrolled->ca_bundle_pem);
      !stored)
    return stored;
  logger_->info("enrolled with ground control as {}", enrolled->satellite);
  if (on_enrollment_) on_enrollment_(*enrolled);
  return remake_client();
}

common::Result<Enrollment> GroundControlSource::enroll_by_request(const std::string& csr) {
  if (!requested_) {
    // An earlier start may have asked already: polled, not asked again, because a new CSR
    // of the same key reads to ground control as another device taking the name.
    auto existing = client()->enrollment_request_status(options_.request_name);
    if (!existing && existing.error().code() != ErrorCode::kNotFound)
      return common::fail(existing.error());
    if (!existing) {
      if (auto asked =
              client()->request_enrollment(options_.request_name, csr, options_.request_labels);
          !asked)
        return common::fail(asked.error());
    }
    requested_ = true;
    logger_->info("asked ground control to enroll as {}: waiting for an admin's approval",
                  options_.request_name);
  }
  auto status = client()->enrollment_request_status(options_.request_name);
  if (!status) return common::fail(status.error());
  if (status->phase == "Approved") return status->enrollment;
  if (status->phase == "Denied")
    return common::fail(
        ErrorCode::kPermissionDenied,
        fmt::format("ground control denied enrollment request {}{}", options_.request_name,
                    status->reason.empty() ? "" : ": " + status->reason));
  return common::fail(
      ErrorCode::kUnavailable,
      fmt::format("enrollment request {} waits for an admin's approval", options_.request_name));
}

common::Status GroundControlSource::renew_if_due() {
  if (identity_.external()) return {};  // its issuer (SPIRE) renews it
  auto validity = identity_.validity();
  if (!validity) return common::fail(validity.error());
  if (!needs_renewal(*validity, clock_.now())) return {};
  auto csr = identity_.csr_pem();
  if (!csr) return common::fail(csr.error());
  auto renewed = client()->renew(*csr);
  if (!renewed) return common::fail(renewed.error());
  if (auto stored = identity_.store_certificate(renewed->certificate_pem, renewed->ca_bundle_pem);
      !stored)
    return stored;
  logger_->info("client certificate renewed");
  if (on_enrollment_) on_enrollment_(*renewed);
  return remake_client();
}

common::Status GroundControlSource::apply_config(bool fresh_credentials) {
  const auto held = fresh_credentials ? std::nullopt : held_;
  auto config =
      held ? client()->get_config(held->username, held->expires_at) : client()->get_config();
  if (!config) return common::fail(config.error());
  if (config->upstream_credentials_unchanged) {
    if (held && held->username == config->upstream_username) {
      config->upstream_password = held->password;
    } else {  // kept, says ground control, but not what this satellite holds: ask for new
      config = client()->get_config();
      if (!config) return common::fail(config.error());
    }
  }
  held_.reset();
  if (!config->upstream_username.empty())
    held_ = HeldCredentials{config->upstream_username, config->upstream_password,
                            config->upstream_credentials_expire_at};
  if (on_config_) on_config_(*config);
  {
    std::lock_guard lock(mutex_);
    config_digest_ = config->digest;
  }
  // Credentials that expire (a robot's secret) are asked for again halfway to their end.
  credentials_due_.reset();
  if (auto expires = common::parse_rfc3339(config->upstream_credentials_expire_at)) {
    // Halfway to the expiry; at least five minutes on, so that an expiry in the past (a
    // clock off, a robot ground control did not renew) cannot make it ask on every poll.
    const auto now = clock_.now();
    credentials_due_ =
        std::max(now + (*expires - now) / 2,
                 std::chrono::system_clock::time_point(now + std::chrono::minutes(5)));
  }
  if (serving_) {
    serving_->set_names(config->registry_server_names);
    maintain_serving_certificate();
  }
  return {};
}

void GroundControlSource::maintain_serving_certificate() {
  if (!serving_) return;
  const auto client = this->client();
  auto done = serving_->maintain(
      [&client](const std::string& csr) { return client->serving_certificate(csr); },
      serving_installed_);
  if (!done)
    logger_->warn("serving certificate: {} (serving the one held, if any; retrying later)",
                  done.error().message());
}

common::Result<std::optional<common::fleet_wire::SatelliteState>> GroundControlSource::next(
    const std::string& known_digest, std::stop_token stop) {
  // A refresh asked for before this pass is served by it, failed with the pass if need be.
  const auto refresh = refresh_.take();
  const auto answer_refresh = [&](const common::Status& outcome) {
    if (refresh) refresh_.finish(*refresh, outcome);
  };
  if (auto trusted = ensure_trust(); !trusted) {
    answer_refresh(trusted);
    return common::fail(trusted.error());
  }
  if (auto enrolled = ensure_enrolled(); !enrolled) {
    answer_refresh(enrolled);
    return common::fail(enrolled.error());
  }
  if (auto renewed = renew_if_due(); !renewed)
    logger_->warn("certificate renewal failed, trying again later: {}", renewed.error().message());
  // The ETag is the state digest in quotes: a restart asks with the state it kept on disk.
  if (etag_.empty() && !known_digest.empty()) etag_ = fmt::format("\"{}\"", known_digest);
  // The config, once per run before anything else (a restart applies it again) and then
  // whenever the state names another one.
  if (config_digest().empty()) {
    auto applied = apply_config();
    answer_refresh(applied);
    if (!applied) return common::fail(applied.error());
  } else if (refresh) {
    // Asked for: a failure keeps the credentials held and the state feed going.
    auto applied = apply_config(/*fresh_credentials=*/true);
    answer_refresh(applied);
    if (applied)
      logger_->info("upstream credentials refreshed on request (config {})", config_digest());
    else
      logger_->warn("upstream credentials not refreshed: {}", applied.error().message());
  } else if (credentials_due_ && clock_.now() >= *credentials_due_) {
    // Fresh credentials are due: a failure keeps the ones held and the state feed going.
    if (auto applied = apply_config(); !applied) {
      logger_->warn("fresh upstream credentials not received, asking again in a minute: {}",
                    applied.error().message());
      credentials_due_ = clock_.now() + std::chrono::minutes(1);
    }
  }
  maintain_serving_certificate();  // renewal, or a retry after a failure
  auto answer = client()->get_state(etag_, options_.wait, stop);
  if (!answer) return common::fail(answer.error());
  if (!answer->state) return std::nullopt;
  etag_ = answer->etag;
  auto& state = *answer->state;
  if (state.config_digest != config_digest()) {
    if (auto applied = apply_config(); !applied) return common::fail(applied.error());
  }
  if (state.state_digest == known_digest) return std::nullopt;
  return std::optional<common::fleet_wire::SatelliteState>(std::move(state));
}

}  // namespace satellite::fleet
