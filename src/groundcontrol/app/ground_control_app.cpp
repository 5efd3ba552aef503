#include "groundcontrol/app/ground_control_app.hpp"

#include <spdlog/logger.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/thread_pool.hpp>

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/crypto/master_key.hpp"
#include "common/crypto/random_bytes.hpp"
#include "common/crypto/secret_box.hpp"
#include "common/fs/file_ops.hpp"
#include "common/http/metrics.hpp"
#include "common/http/router.hpp"
#include "common/http/server.hpp"
#include "common/http/session_ticket_keys.hpp"
#include "common/sql/database.hpp"
#include "common/sql/timed_database.hpp"
#include "common/time_format.hpp"
#include "groundcontrol/api/bearer_access.hpp"
#include "groundcontrol/api/ca_handlers.hpp"
#include "groundcontrol/api/certificate_identity.hpp"
#include "groundcontrol/api/command_handlers.hpp"
#include "groundcontrol/api/enrollment_handlers.hpp"
#include "groundcontrol/api/enrollment_request_handlers.hpp"
#include "groundcontrol/api/fleet_handlers.hpp"
#include "groundcontrol/api/group_credential_handlers.hpp"
#include "groundcontrol/api/group_rule_handlers.hpp"
#include "groundcontrol/api/harbor_access.hpp"
#include "groundcontrol/api/nats_credential_handlers.hpp"
#include "groundcontrol/api/registry_endpoint_handlers.hpp"
#include "groundcontrol/api/resource_handlers.hpp"
#include "groundcontrol/api/route_table.hpp"
#include "groundcontrol/api/satellite_handlers.hpp"
#include "groundcontrol/api/serving_certificate_handlers.hpp"
#include "groundcontrol/api/user_handlers.hpp"
#include "groundcontrol/app/certificate_authority_keeper.hpp"
#include "groundcontrol/app/external_trust_file.hpp"
#include "groundcontrol/app/fleet_metrics.hpp"
#include "groundcontrol/app/nats_channel.hpp"
#include "groundcontrol/app/nats_server_config.hpp"
#include "groundcontrol/app/periodic_job_table.hpp"
#include "groundcontrol/app/server_tls_files.hpp"
#include "groundcontrol/app/signing_key_files.hpp"
#include "groundcontrol/service/auth_service.hpp"
#include "groundcontrol/service/ca_rotation_service.hpp"
#include "groundcontrol/service/certificate_authorities.hpp"
#include "groundcontrol/service/enrollment_request_service.hpp"
#include "groundcontrol/service/enrollment_service.hpp"
#include "groundcontrol/service/fleet_health.hpp"
#include "groundcontrol/service/fleet_sync.hpp"
#include "groundcontrol/service/fleet_view.hpp"
#include "groundcontrol/service/group_credential_service.hpp"
#include "groundcontrol/service/group_rule_service.hpp"
#include "groundcontrol/service/housekeeping.hpp"
#include "groundcontrol/service/periodic_jobs.hpp"
#include "groundcontrol/service/registry_endpoint_service.hpp"
#include "groundcontrol/service/report_recorder.hpp"
#include "groundcontrol/service/resource_service.hpp"
#include "groundcontrol/service/serving_certificate_service.hpp"
#include "groundcontrol/service/state_publication_service.hpp"
#include "groundcontrol/service/status_rollup.hpp"
#include "groundcontrol/store/schema.hpp"

namespace groundcontrol::app {
namespace {

using common::fail;
namespace fs = std::filesystem;

// How often the view re-reads the change log without being told (a safety net for a lost
// notification) and expired sessions are dropped.
constexpr auto kTick = std::chrono::seconds(5);
// How often heartbeats are written, one transaction each time.
constexpr auto kFlush = std::chrono::seconds(1);
// How long the change log that watches resume from is kept.
constexpr auto kChangeRetention = std::chrono::seconds(3600);

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "ground-control";
  return name;
}

common::Result<std::unique_ptr<common::sql::Database>> open_database(
    const GroundControlOptions& options) {
  auto db = common::sql::Database::open(
      database_location(options), store::database_options({.application_name = "ground-control"}));
  if (!db) return fail(db.error());
  if (auto ok = (*db)->migrate(store::migrations()); !ok) return fail(ok.error());
  return db;
}

common::Result<common::crypto::MasterKey> master_key(const GroundControlOptions& options) {
  if (!options.master_key_base64.empty())
    return common::crypto::MasterKey::from_base64(options.master_key_base64);
  return common::crypto::MasterKey::load_or_create_file(master_key_location(options));
}

std::string random_uid() {
  const auto bytes = common::crypto::random_bytes(16);
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

class App final : public GroundControlApp {
 public:
  App(const GroundControlOptions& options, common::log::Logger logger)
      : options_(options), logger_(std::move(logger)), pool_(options.blocking_threads) {}
  ~App() override {
    stop();
    if (ticker_.joinable()) ticker_.join();
    if (job_runner_.joinable()) job_runner_.join();
    pool_.join();
  }

  common::Status init() {
    std::error_code ec;
    fs::create_directories(options_.data_dir, ec);
    if (ec)
      return fail(common::ErrorCode::kUnavailable,
                  fmt::format("cannot create {}: {}", options_.data_dir, ec.message()));
    ::chmod(options_.data_dir.c_str(), 0700);
    auto db = open_database(options_);
    if (!db) return fail(db.error());
    auto timed = std::make_unique<common::sql::TimedDatabase>(std::move(*db));
    timed_db_ = timed.get();
    db_ = std::move(timed);
    auto key = master_key(options_);
    if (!key) return fail(key.error());
    box_.emplace(std::move(*key));
    if (auto ca = load_or_create_ca(*db_, *box_, clock_, options_.trust_domain); !ca)
      return fail(ca.error());
    cas_.emplace(*db_, *box_, clock_);
    if (auto ok = cas_->refresh(); !ok) return ok;
    tls_files_.emplace(ServerTlsConfig{options_.data_dir, options_.tls_cert_file,
                                       options_.tls_key_file, options_.server_names});
    if (!options_.external_ca_bundle.empty()) {
      external_file_.emplace(options_.external_ca_bundle, options_.external_spiffe_prefix);
      auto bundle = external_file_->reload();
      if (!bundle) return fail(bundle.error());
      trust_external(std::move(**bundle));
    }
    if (auto ok = tls_files_->write(*cas_->current()); !ok) return ok;
    tls_generation_ = cas_->generation();

    sync_.emplace(*db_, view_, logger_);
    if (auto ok = sync_->load(); !ok) return ok;
    auto following = sync_->follow();
    if (!following) return fail(following.error());
    following_.emplace(std::move(*following));

    resources_.emplace(*db_, clock_, *sync_, random_uid, &*box_);
    if (auto ok = resources_->ensure_default_config(); !ok) return ok;
    auth_.emplace(*db_, clock_, service::AuthConfig{.session_lifetime = options_.session_lifetime});
    auto admin = auth_->bootstrap_admin(options_.admin_password);
    if (!admin) return fail(admin.error());
    generated_password_ = *admin;
    enrollment_.emplace(
        *db_, clock_, *cas_, *sync_,
        service::EnrollmentConfig{options_.trust_domain, options_.certificate_validity,
                                  options_.token_lifetime});
    enrollment_requests_.emplace(
        *db_, clock_, *enrollment_, *sync_, random_uid,
        service::EnrollmentRequestConfig{options_.max_pending_enrollment_requests});
    group_credentials_.emplace(*db_, clock_);
    commands_.emplace(
        *db_, clock_, random_uid,
        service::CommandConfig{options_.command_ttl, std::chrono::hours(7 * 24), replica_name_});
    if (auto ok = start_nats(); !ok) return ok;
    registry_endpoints_.emplace(*resources_, clock_, common::http::ClientOptions{});
    group_rules_.emplace(*db_, clock_, *resources_, *registry_endpoints_, *sync_);
    if (auto ok = make_state_publication(); !ok) return ok;
    if (!options_.robot_endpoint.empty())
      robots_.emplace(*db_, clock_, view_, *registry_endpoints_,
                      service::RobotAccountOptions{
                          options_.robot_endpoint,
                          options_.state_endpoint.empty() ? "" : options_.state_project,
                          options_.robot_duration});
    serving_certificates_.emplace(*db_, clock_, *cas_, options_.certificate_validity);
    ca_rotation_.emplace(*db_, clock_, *box_, *cas_, *enrollment_, *sync_, options_.trust_domain,
                         [this] { apply_cas(); });
    return start_servers();
  }

  // With --nats: the command channel (docs/adr/0008), and nats-server's operator block
  // (with --nats-server-names also its TLS block, a server certificate from our CA, which
  // satellites trust already).
  common::Status start_nats() {
    if (options_.nats.empty()) return {};
    std::string ca_file = options_.nats_ca_file;
    if (auto ok = write_nats_server_config(); !ok) return ok;
    if (ca_file.empty() && !options_.nats_server_names.empty()) ca_file = tls_files_->ca_file();
    auto channel =
        NatsChannel::start(*db_, *box_, clock_, *commands_, view_, satellite_exists(),
                           NatsChannelOptions{options_.nats, options_.nats_advertise, ca_file,
                                              std::chrono::hours(24), options_.webhooks},
                           logger_);
    if (!channel) return fail(channel.error());
    nats_ = std::move(*channel);
    return {};
  }

  // The view answers for every satellite it holds; one it does not hold yet (another
  // replica's, moments old) or no longer holds is looked up in the database.
  messaging::SatelliteExists satellite_exists() {
    return [this](std::string_view name) -> common::Result<bool> {
      if (view_.config_of(name)) return true;
      auto found = resources_->get(model::Kind::kSatellite, name);
      if (found) return true;
      if (found.error().code() == common::ErrorCode::kNotFound) return false;
      return fail(found.error());
    };
  }

  common::Status write_nats_server_config() {
    if (options_.nats_server_config.empty()) return {};
    auto authority = service::NatsAuthority::load_or_create(*db_, *box_, clock_);
    if (!authority) return fail(authority.error());
    if (auto ok =
            app::write_nats_server_config(*authority, *cas_->current(), options_.data_dir,
                                          options_.nats_server_names, options_.nats_server_config);
        !ok)
      return ok;
    logger_->info("NATS: nats-server's block written to {}", options_.nats_server_config);
    return {};
  }

  // With --state-endpoint: the signing key, the keys satellites trust, the publisher.
  common::Status make_state_publication() {
    if (options_.state_endpoint.empty()) return {};
    auto key = load_signing_key(options_.state_signing_key_file,
                                options_.state_signing_password_file, options_.cosign_password);
    if (!key) return fail(key.error());
    signing_key_.emplace(std::move(*key));
    auto own = signing_key_->public_key_pem();
    if (!own) return fail(own.error());
    auto others = read_public_keys(options_.state_trusted_key_files);
    if (!others) return fail(others.error());
    std::vector<std::string> trusted{std::move(*own)};
    for (auto& pem : *others)
      if (std::find(trusted.begin(), trusted.end(), pem) == trusted.end())
        trusted.push_back(std::move(pem));
    state_publication_.emplace(
        *db_, clock_, view_, *resources_, *registry_endpoints_, *signing_key_,
        service::StatePublicationOptions{options_.state_endpoint, options_.state_project,
                                         options_.state_registry_url, std::move(trusted),
                                         options_.state_keep_versions});
    (void)state_publication_->refresh_view();  // the endpoint may not exist yet: ticks retry
    return {};
  }

  std::string management_address() const override { return management_->local_address(); }
  std::string satellite_address() const override { return satellite_->local_address(); }
  std::optional<std::string> generated_admin_password() const override {
    return generated_password_;
  }
  std::string ca_file() const override { return tls_files_->ca_file(); }
  std::string ca_fingerprint() const override {
    return cas_->current()->active.fingerprint_sha256();
  }

  void run() override {
    ticker_ = std::thread([this] { tick(); });
    job_runner_ = std::thread([this] { run_jobs(); });
    std::thread satellite([this] { satellite_->run(); });
    management_->run();
    satellite.join();
  }

  void stop() override {
    {
      std::lock_guard lock(stop_mutex_);
      stopping_ = true;
    }
    stop_wake_.notify_all();
    if (management_) management_->stop();
    if (satellite_) satellite_->stop();
  }

 private:
  // After a rotation or a retirement (made here or on another replica): the listeners'
  // TLS files from the CAs now held, re-read by both listeners for new connections.
  void apply_cas() {
    std::lock_guard lock(tls_mutex_);
    const auto generation = cas_->generation();
    const bool external_changed = reload_external_bundle();
    if (generation == tls_generation_ && !external_changed) return;
    const auto cas = cas_->current();
    if (auto ok = tls_files_->write(*cas); !ok) {
      logger_->warn("CA change: writing the TLS files failed: {}", ok.error().message());
      return;
    }
    for (auto* server : {options_.insecure_http ? nullptr : management_.get(), satellite_.get()})
      if (server != nullptr)
        if (auto ok = server->reload_tls(); !ok)
          logger_->warn("CA change: reloading TLS failed: {}", ok.error().message());
    tls_generation_ = generation;
    logger_->info("CA change: active CA {}, {} trusted; TLS files reloaded",
                  cas->active.fingerprint_sha256(), cas->bundle.size());
  }

  // Reads the external CA bundle again when its file changed: true when it did (and
  // parses), so the listener's client CA file is written again and the identity trusts it.
  // REQUIRES: tls_mutex_ held.
  bool reload_external_bundle() {
    if (!external_file_) return false;
    auto bundle = external_file_->reload();
    if (!bundle) {
      logger_->warn("external CA bundle: {}; the last good one stays trusted",
                    bundle.error().message());
      return false;
    }
    if (!*bundle) return false;
    trust_external(std::move(**bundle));
    logger_->info("external CA bundle: {} CAs trusted for SPIFFE IDs under {}",
                  external_trust_->anchors.size(), external_trust_->spiffe_prefix);
    return true;
  }

  // `bundle` trusted from the next TLS file write on (the identity at once, when it exists).
  void trust_external(ExternalTrustFile::Bundle bundle) {
    tls_files_->trust_external(std::move(bundle.pem));
    external_trust_ = std::move(bundle.trust);
    if (identity_) identity_->trust_external(external_trust_);
  }

  // /readyz: the database is reachable and at the schema this binary writes (not older: a
  // migration failed; not newer: a newer replica migrated, and this one must go).
  bool ready() const {
    const auto version = db_->schema_version();
    return version && *version == store::migrations().back().version;
  }

  common::Status start_servers() {
    user_limiter_.emplace(common::RateLimit{options_.user_rate_limit, options_.user_rate_burst},
                          clock_);
    satellite_limiter_.emplace(
        common::RateLimit{options_.satellite_rate_limit, options_.satellite_rate_burst}, clock_);
    access_.emplace(*auth_, pool_, &*user_limiter_);
    identity_.emplace(
        view_, clock_, [this](std::string_view name) { return enrollment_->spiffe_id_of(name); },
        &*satellite_limiter_);
    identity_->trust_external(external_trust_);
    harbor_access_.emplace(*group_credentials_, *access_, pool_);
    resource_handlers_.emplace(*resources_, *access_, pool_, &*enrollment_, &*harbor_access_);
    user_handlers_.emplace(*auth_, *access_, pool_);
    reports_.emplace(*db_);
    health_.emplace(*db_, view_, clock_);
    fleet_handlers_.emplace(*health_, view_, *access_, pool_);
    command_handlers_.emplace(*commands_, view_, *access_, pool_);
    if (auto ok = add_jobs(); !ok) return ok;
    satellite_handlers_.emplace(view_, *identity_, *resources_, pool_, *reports_, clock_,
                                std::random_device{}());
    if (robots_) satellite_handlers_->use_robot_accounts(*robots_);
    enrollment_handlers_.emplace(*enrollment_, *identity_, *access_, pool_);
    if (state_publication_) enrollment_handlers_->name_state_registry(view_);
    enrollment_request_handlers_.emplace(*enrollment_requests_, *resources_, *access_, pool_);
    group_credential_handlers_.emplace(*group_credentials_, *access_, pool_);
    registry_endpoint_handlers_.emplace(*registry_endpoints_, *access_, pool_);
    group_rule_handlers_.emplace(*group_rules_, *access_, pool_);
    ca_handlers_.emplace(*ca_rotation_, *cas_, *identity_, *access_, pool_);
    serving_certificate_handlers_.emplace(*serving_certificates_, *identity_, pool_);
    nats_credential_handlers_.emplace(nats_ ? &nats_->credentials() : nullptr, *identity_, pool_);

    if (auto ok = add_metrics(); !ok) return ok;
    management_router_.emplace(api::router_config(), &metrics_);
    for (auto& route : api::management_routes(
             {*resource_handlers_, *user_handlers_, *enrollment_handlers_, *fleet_handlers_,
              metrics_, [this] { return ready(); }, *enrollment_request_handlers_,
              *group_credential_handlers_, *ca_handlers_, *registry_endpoint_handlers_,
              *group_rule_handlers_, *command_handlers_, *nats_credential_handlers_, *access_}))
      if (auto ok = management_router_->add(std::move(route)); !ok) return ok;
    satellite_router_.emplace(api::router_config(), &metrics_);
    for (auto& route : api::satellite_routes(
             {*satellite_handlers_, *enrollment_handlers_, *enrollment_request_handlers_,
              *ca_handlers_, *serving_certificate_handlers_, *nats_credential_handlers_}))
      if (auto ok = satellite_router_->add(std::move(route)); !ok) return ok;

    common::http::ServerConfig management;
    management.host = options_.management_listen.host;
    management.port = options_.management_listen.port;
    management.threads = options_.threads;
    if (options_.insecure_http) {
      logger_->warn(
          "the management API serves plain HTTP (--insecure-http): tokens and "
          "passwords cross the network in clear");
    } else {
      management.tls = common::http::TlsConfig{
          tls_files_->cert_file(), tls_files_->key_file(), "", {}, session_tickets("management")};
    }
    auto management_server = common::http::Server::create(
        management, [this](common::http::Request& r) { return management_router_->handle(r); },
        [this](const common::http::Exchange& e) { observe(e); }, logger_, clock_);
    if (!management_server) return fail(management_server.error());
    management_ = std::move(*management_server);

    common::http::ServerConfig satellite;
    satellite.host = options_.satellite_listen.host;
    satellite.port = options_.satellite_listen.port;
    satellite.threads = options_.threads;
    satellite.max_connections = 16'384;
    satellite.idle_timeout = std::chrono::seconds(360);  // a long-poll's keep-alive
    satellite.tls = common::http::TlsConfig{
        tls_files_->cert_file(), tls_files_->key_file(), tls_files_->client_ca_file(),
        common::http::ClientCertMode::kOptional, session_tickets("satellite")};
    auto satellite_server = common::http::Server::create(
        satellite, [this](common::http::Request& r) { return satellite_router_->handle(r); },
        [this](const common::http::Exchange& e) { observe(e); }, logger_, clock_);
    if (!satellite_server) return fail(satellite_server.error());
    satellite_ = std::move(*satellite_server);
    return {};
  }

  // Ticket keys from the master key that every replica holds: a satellite whose replica died
  // resumes its TLS session on the survivor instead of a full handshake (docs/scale.md).
  std::shared_ptr<const common::http::SessionTicketKeys> session_tickets(
      std::string_view listener) const {
    return std::make_shared<const common::http::SessionTicketKeys>(
        common::http::SessionTicketKeys::derive(box_->current().bytes(),
                                                "groundcontrol/" + std::string(listener)));
  }

  // The periodic jobs, each run by one replica at a time under its lease.
  common::Status add_jobs() {
    rollup_.emplace(*db_, *health_, clock_);
    housekeeping_.emplace(*db_, clock_, kChangeRetention);
    jobs_.emplace(*db_, clock_, replica_name_);
    for (auto& job : periodic_job_table(
             JobServices{*rollup_, *group_rules_, *commands_, *housekeeping_, nats_.get(),
                         state_publication_ ? &*state_publication_ : nullptr,
                         robots_ ? &*robots_ : nullptr},
             options_, logger_))
      jobs_->add(std::move(job));
    return {};
  }

  // The fleet as this replica sees it, for /metrics.
  common::Status add_metrics() {
    return add_fleet_metrics(metrics_, FleetMetricSources{.clock = &clock_,
                                                          .view = &view_,
                                                          .satellites = &*satellite_handlers_,
                                                          .reports = &*reports_,
                                                          .sync = &*sync_,
                                                          .health = &*health_,
                                                          .jobs = &*jobs_,
                                                          .db = timed_db_,
                                                          .nats = nats_.get(),
                                                          .management = &management_,
                                                          .satellite = &satellite_});
  }

  void observe(const common::http::Exchange& e) {
    metrics_.record(e);
    if (e.status >= 500 && !e.diagnostic.empty())
      logger_->warn("{} {} route={} status={}: {}", common::http::method_name(e.method), e.target,
                    e.route, e.status, e.diagnostic);
    if (options_.access_log)
      logger_->info("{} {} {} route={} status={} bytes={} duration_us={}", e.remote_address,
                    common::http::method_name(e.method), e.target, e.route, e.status, e.bytes_sent,
                    std::chrono::duration_cast<std::chrono::microseconds>(e.duration).count());
  }

  // The periodic jobs on their own thread, so that a slow one (a registry answering slowly
  // to a rule evaluation or a state push) never holds up the flush of satellite reports,
  // the CA refresh or the fleet view's catch-up on the ticker.
  void run_jobs() {
    std::unique_lock lock(stop_mutex_);
    while (true) {
      // Until the next job is due (sub-second for the state-change commands), at most kFlush.
      const auto due = jobs_->next_due() - clock_.steady_now();
      const auto wait = std::clamp<std::chrono::steady_clock::duration>(due, {}, kFlush);
      const bool stopping = stop_wake_.wait_for(lock, wait, [this] { return stopping_; });
      lock.unlock();
      if (stopping) {  // another replica may take the jobs at once
        jobs_->release_all();
        return;
      }
      for (const auto& [job, error] : jobs_->run_due())
        logger_->warn("{}: {}", job, error.message());
      lock.lock();
    }
  }

  void tick() {
    std::unique_lock lock(stop_mutex_);
    for (int ticks = 1;; ++ticks) {
      const bool stopping = stop_wake_.wait_for(lock, kFlush, [this] { return stopping_; });
      lock.unlock();
      if (auto ok = reports_->flush(); !ok)
        logger_->warn("satellite reports: writing {} failed: {}", reports_->waiting(),
                      ok.error().message());
      if (stopping) return;  // the last flush done
      // A rotation made on another replica shows here within a tick: two rows read.
      if (auto ok = cas_->refresh(); !ok)
        logger_->warn("CAs: re-reading failed: {}", ok.error().message());
      apply_cas();
      if (ticks % (kTick / kFlush) == 0) {
        if (auto ok = sync_->catch_up(); !ok)
          logger_->warn("fleet view: catching up failed: {}", ok.error().message());
        // Every replica, not only the publisher: each serves states that name the registry.
        if (state_publication_)
          if (auto ok = state_publication_->refresh_view(); !ok)
            logger_->debug("state registry: {}", ok.error().message());
      }
      lock.lock();
    }
  }

  const GroundControlOptions options_;
  common::log::Logger logger_;
  common::SystemClock clock_;
  boost::asio::thread_pool pool_;
  common::http::Metrics metrics_{"groundcontrol"};
  std::unique_ptr<common::sql::Database> db_;
  const common::sql::TimedDatabase* timed_db_ = nullptr;  // db_, for its histograms
  std::optional<common::crypto::SecretBox> box_;
  std::optional<service::CertificateAuthorities> cas_;
  std::optional<ServerTlsFiles> tls_files_;
  std::optional<ExternalTrustFile> external_file_;            // with --external-ca-bundle
  std::shared_ptr<const api::ExternalTrust> external_trust_;  // guarded by tls_mutex_
  std::mutex tls_mutex_;  // guards tls_generation_ and the TLS files
  std::uint64_t tls_generation_ = 0;
  std::optional<service::CaRotationService> ca_rotation_;
  std::optional<api::CaHandlers> ca_handlers_;
  service::FleetView view_;
  std::optional<common::crypto::CosignKey> signing_key_;
  std::optional<service::StatePublicationService> state_publication_;
  std::optional<service::RobotAccountService> robots_;
  std::optional<service::FleetSync> sync_;
  std::optional<common::sql::Subscription> following_;
  std::optional<service::ResourceService> resources_;
  std::optional<service::AuthService> auth_;
  std::optional<service::EnrollmentService> enrollment_;
  std::optional<service::EnrollmentRequestService> enrollment_requests_;
  std::optional<service::ServingCertificateService> serving_certificates_;
  std::optional<service::GroupCredentialService> group_credentials_;
  // This process among the replicas: its job leases and the commands it stored.
  const std::string replica_name_ = fmt::format("{}/{}", host_name(), random_uid().substr(0, 12));
  std::optional<service::CommandService> commands_;
  std::unique_ptr<NatsChannel> nats_;  // with --nats
  std::optional<service::RegistryEndpointService> registry_endpoints_;
  std::optional<service::GroupRuleService> group_rules_;
  std::optional<std::string> generated_password_;
  std::optional<api::BearerAccess> access_;
  std::optional<api::CertificateIdentity> identity_;
  std::optional<api::HarborAccess> harbor_access_;
  std::optional<common::KeyedRateLimiter> user_limiter_;
  std::optional<common::KeyedRateLimiter> satellite_limiter_;
  std::optional<api::ResourceHandlers> resource_handlers_;
  std::optional<api::UserHandlers> user_handlers_;
  std::optional<service::ReportRecorder> reports_;
  std::optional<api::SatelliteHandlers> satellite_handlers_;
  std::optional<service::FleetHealth> health_;
  std::optional<api::FleetHandlers> fleet_handlers_;
  std::optional<api::CommandHandlers> command_handlers_;
  std::optional<api::NatsCredentialHandlers> nats_credential_handlers_;
  std::optional<service::StatusRollup> rollup_;
  std::optional<service::Housekeeping> housekeeping_;
  std::optional<service::PeriodicJobs> jobs_;
  std::optional<api::EnrollmentHandlers> enrollment_handlers_;
  std::optional<api::EnrollmentRequestHandlers> enrollment_request_handlers_;
  std::optional<api::ServingCertificateHandlers> serving_certificate_handlers_;
  std::optional<api::GroupCredentialHandlers> group_credential_handlers_;
  std::optional<api::RegistryEndpointHandlers> registry_endpoint_handlers_;
  std::optional<api::GroupRuleHandlers> group_rule_handlers_;
  std::optional<common::http::Router> management_router_;
  std::optional<common::http::Router> satellite_router_;
  std::unique_ptr<common::http::Server> management_;
  std::unique_ptr<common::http::Server> satellite_;
  std::thread ticker_;
  std::thread job_runner_;
  std::mutex stop_mutex_;  // guards stopping_
  std::condition_variable stop_wake_;
  bool stopping_ = false;
};

}  // namespace

common::Result<std::unique_ptr<GroundControlApp>> GroundControlApp::create(
    const GroundControlOptions& options, common::log::Logger logger) {
  auto app = std::make_unique<App>(options, std::move(logger));
  if (auto ok = app->init(); !ok) return fail(ok.error());
  return std::unique_ptr<GroundControlApp>(std::move(app));
}

common::Result<std::string> reset_admin(const GroundControlOptions& options,
                                        const std::string& password) {
  auto db = open_database(options);
  if (!db) return fail(db.error());
  common::SystemClock clock;
  service::AuthService auth(**db, clock, service::AuthConfig{});
  return auth.reset_admin(password);
}

}  // namespace groundcontrol::app
