#include "satellite/registry_app.hpp"

#include <boost/asio/thread_pool.hpp>

#include <mutex>
#include <thread>

#include "common/clock.hpp"
#include "common/http/metrics.hpp"
#include "registry/http/authenticator.hpp"
#include "registry/http/htpasswd_auth.hpp"
#include "registry/http/login_rate_limiter.hpp"
#include "registry/http/registry_router.hpp"
#include "registry/registry_service.hpp"
#include "satellite/admin/admin_socket.hpp"
#include "satellite/gc_schedule.hpp"

namespace satellite {
namespace {

class RegistryAppImpl final : public RegistryApp {
 public:
  RegistryAppImpl(ServeOptions options, common::log::Logger logger)
      : options_(std::move(options)),
        logger_(std::move(logger)),
        pool_(options_.blocking_threads),
        auth_pool_(options_.auth_threads) {}

  common::Status init() {
    auto service = registry::RegistryService::open(options_.registry, logger_);
    if (!service) return common::fail(service.error());
    service_ = std::move(*service);
    if (!options_.htpasswd_file.empty()) {
      auto auth = registry::http::HtpasswdAuth::load(options_.htpasswd_file);
      if (!auth) return common::fail(auth.error());
      htpasswd_ = std::move(*auth);
      limiter_.emplace(options_.login_limits, clock_);
      authenticator_.emplace(*htpasswd_, *limiter_, auth_pool_,
                             registry::http::AuthenticatorConfig{options_.auth_max_pending});
    }
    auto router = registry::http::RegistryRouter::create(
        *service_, pool_, metrics_, authenticator_ ? &*authenticator_ : nullptr, logger_,
        options_.access_log);
    if (!router) return common::fail(router.error());
    router_ = std::move(*router);
    auto server = make_server(options_.server);
    if (!server) return common::fail(server.error());
    server_ = std::move(*server);
    gc_.emplace(*service_, options_.gc_interval, logger_);
    // `satellite import`/`export` while we hold the data dir: run on the admin thread.
    auto admin = admin::AdminServer::start(
        registry::storage::StoragePaths(options_.registry.data_dir).admin_socket(),
        [this](const admin::LayoutRequest& request, common::fs::UniqueFd target) {
          return admin::execute(*service_, request, std::move(target));
        },
        logger_);
    if (!admin) return common::fail(admin.error());
    admin_ = std::move(*admin);
    return {};
  }

  registry::RegistryService& registry() override { return *service_; }
  common::http::Metrics& metrics() override { return metrics_; }
  void set_content_fetcher(registry::http::ContentFetcher* fetcher) override {
    router_->set_fetcher(fetcher);
  }

  std::string address() const override { return server_->local_address(); }

  void run() override {
    server_->run();
    {
      std::lock_guard lock(tls_mutex_);
      stopped_ = true;
    }
    if (tls_thread_.joinable()) tls_thread_.join();  // stop() stopped its server too
    admin_.reset();
    gc_.reset();
    pool_.join();
    auth_pool_.join();
  }

  void stop() override {
    std::lock_guard lock(tls_mutex_);
    stopped_ = true;
    if (tls_server_) tls_server_->stop();
    server_->stop();
  }

  common::Result<std::string> serve_tls(common::http::ServerConfig config) override {
    std::lock_guard lock(tls_mutex_);
    if (stopped_) return common::fail(common::ErrorCode::kUnavailable, "the registry is stopping");
    if (tls_server_) {
      if (auto reloaded = tls_server_->reload_tls(); !reloaded)
        return common::fail(reloaded.error());
      return tls_server_->local_address();
    }
    auto server = make_server(std::move(config));
    if (!server) return common::fail(server.error());
    tls_server_ = std::move(*server);
    tls_thread_ = std::thread([server = tls_server_.get()] { server->run(); });
    return tls_server_->local_address();
  }

  void trigger_gc() override { gc_->trigger(); }

  common::Status reload_tls() override { return server_->reload_tls(); }

 private:
  common::Result<std::unique_ptr<common::http::Server>> make_server(
      common::http::ServerConfig config) {
    return common::http::Server::create(
        std::move(config), [this](common::http::Request& r) { return router_->handle(r); },
        [this](const common::http::Exchange& e) { router_->observe(e); }, logger_);
  }

  ServeOptions options_;
  common::log::Logger logger_;
  common::SystemClock clock_;
  boost::asio::thread_pool pool_;       // pushes and pulls: fsync, rename, SQLite
  boost::asio::thread_pool auth_pool_;  // password checks only
  common::http::Metrics metrics_{"registry"};
  std::unique_ptr<registry::RegistryService> service_;
  std::unique_ptr<registry::http::HtpasswdAuth> htpasswd_;
  std::optional<registry::http::LoginRateLimiter> limiter_;
  std::optional<registry::http::Authenticator> authenticator_;
  std::unique_ptr<registry::http::RegistryRouter> router_;
  std::unique_ptr<common::http::Server> server_;
  std::mutex tls_mutex_;  // guards tls_server_, tls_thread_ and stopped_
  std::unique_ptr<common::http::Server> tls_server_;
  std::thread tls_thread_;
  bool stopped_ = false;
  std::optional<GcSchedule> gc_;
  std::unique_ptr<admin::AdminServer> admin_;  // after service_: stops before it
};

}  // namespace

common::Result<std::unique_ptr<RegistryApp>> RegistryApp::create(ServeOptions options,
                                                                 common::log::Logger logger) {
  auto app = std::make_unique<RegistryAppImpl>(std::move(options), std::move(logger));
  if (auto status = app->init(); !status) return common::fail(status.error());
  return std::unique_ptr<RegistryApp>(std::move(app));
}

}  // namespace satellite
