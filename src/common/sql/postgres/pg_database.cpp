#include "common/sql/postgres/pg_database.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <string>
#include <utility>

#include "common/sql/detail/notification_hub.hpp"
#include "common/sql/postgres/pg_listener.hpp"

namespace common::sql::postgres {
namespace {

// libpq's connect_timeout counts whole seconds and treats 1 as 2.
std::string connect_timeout_seconds(const DatabaseOptions& options) {
  return std::to_string(std::max<std::int64_t>(2, options.connect_timeout.count()));
}

// The listener's connection also probes an idle peer: TCP keepalives after 10 s idle,
// every 5 s, 3 misses, so a vanished server is noticed in about 25 s.
ConnectParams listener_params(ConnectParams params) {
  for (const auto& [key, value] :
       {std::pair{"keepalives", "1"}, std::pair{"keepalives_idle", "10"},
        std::pair{"keepalives_interval", "5"}, std::pair{"keepalives_count", "3"}}) {
    params.settings.emplace_back(key, value);
  }
  return params;
}

}  // namespace

Result<std::unique_ptr<PgDatabase>> PgDatabase::open(const std::string& url,
                                                     const DatabaseOptions& options) {
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string detail = parse_error != nullptr ? parse_error : "out of memory";
    PQfreemem(parse_error);
    return fail(ErrorCode::kInvalidArgument, "malformed PostgreSQL URL", std::move(detail));
  }
  PQconninfoFree(parsed);
  ConnectParams params;
  // Before "dbname" (the URL): defaults the URL may override. After it: always ours.
  params.settings = {{"connect_timeout", connect_timeout_seconds(options)},
                     {"application_name", options.application_name},
                     {"dbname", url},
                     {"client_encoding", "UTF8"}};
  std::unique_ptr<PgDatabase> db(new PgDatabase(options, std::move(params)));
  auto first = db->pool_.acquire();  // fail fast when the server is not there
  if (!first) return fail(std::move(first.error()));
  return db;
}

PgDatabase::PgDatabase(const DatabaseOptions& options, ConnectParams params)
    : options_(options),
      params_(std::move(params)),
      pool_(params_, options.pool_size, options.acquire_timeout, options.statement_cache_size),
      hub_(std::make_shared<detail::NotificationHub>()),
      backoff_(std::chrono::milliseconds(2), std::chrono::milliseconds(100)) {}

PgDatabase::~PgDatabase() {
  hub_->set_channels_changed(nullptr);
  listener_.reset();  // stops and joins the listener thread
}

detail::Attempt PgDatabase::attempt(const TxFunction& fn, BeginMode mode,
                                    std::string_view lock_table) {
  // Not retried when no connection can be had: the pool already waited acquire_timeout,
  // and a server that refuses a connect now (or lets it time out) will do so again soon.
  auto lease = pool_.acquire();
  if (!lease) return {fail(std::move(lease.error())), false};
  PgConnection& conn = **lease;
  Status status = conn.begin(mode, lock_table);
  if (status) status = fn(conn);
  if (status && conn.state().first_error()) status = fail(*conn.state().first_error());
  if (status) status = conn.commit();
  if (!status) {
    const bool retry = conn.state().retryable();
    conn.rollback();
    return {std::move(status), retry};
  }
  return {};
}

Status PgDatabase::run(const TxFunction& fn, BeginMode mode, int max_attempts,
                       std::string_view lock_table) {
  return detail::retry_transaction(max_attempts, backoff_,
                                   [&] { return attempt(fn, mode, lock_table); });
}

Status PgDatabase::transact(const TxFunction& fn, const TxOptions& options) {
  if (options.read_only) {
    return run(fn, BeginMode::kSerializableReadOnly, options.max_attempts);
  }
  return run(fn, BeginMode::kSerializable, options.max_attempts,
             options.unqueued ? std::string_view{} : options_.serialize_writes_on);
}

Status PgDatabase::transact_migration_step(const TxFunction& fn) {
  return run(fn, BeginMode::kMigration, TxOptions{}.max_attempts);
}

Result<Subscription> PgDatabase::listen(std::string channel, PayloadCallback on_payload,
                                        ResyncCallback on_resync) {
  if (auto status = detail::validate_channel(channel); !status) return fail(status.error());
  if (hub_->in_callback()) {
    return fail(ErrorCode::kInvalidArgument, "listen() called from a notification callback");
  }
  PgListener* listener = nullptr;
  {
    std::lock_guard lock(listener_mu_);
    if (listener_ == nullptr) {
      auto started = PgListener::start(listener_params(params_), hub_, options_.connect_timeout,
                                       options_.listener_reconnect_max);
      if (!started) return fail(std::move(started.error()));
      listener_ = std::move(*started);
      hub_->set_channels_changed([raw = listener_.get()] { raw->wake(); });
    }
    listener = listener_.get();
  }
  const std::string name = channel;
  const auto id = hub_->subscribe(std::move(channel), std::move(on_payload), std::move(on_resync));
  if (auto status = listener->wait_listening(name, options_.connect_timeout); !status) {
    hub_->unsubscribe(id);
    return fail(std::move(status.error()));
  }
  return Subscription(hub_, id);
}

}  // namespace common::sql::postgres
