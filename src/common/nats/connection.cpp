#include "common/nats/connection.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/nats/detail/connection_core.hpp"
#include "common/nats/detail/native_message.hpp"
#include "common/nats/detail/nats_error.hpp"
#include "common/nats/detail/subscription_core.hpp"

namespace common::nats {
namespace {

using detail::check;
using detail::ConnectionCore;

detail::ConnectionCore& core_of(void* closure) {
  return *static_cast<ConnectionCore*>(closure);
}

// libnats frees what a credentials callback returns with free(): hand it a malloc'd copy.
char* malloc_copy(std::string_view bytes) {
  auto* out = static_cast<char*>(std::malloc(bytes.size() + 1));
  if (out == nullptr) return nullptr;
  std::memcpy(out, bytes.data(), bytes.size());
  out[bytes.size()] = '\0';
  return out;
}

void report(ConnectionCore& core, ConnectionState state) {
  if (!core.options.on_state) return;
  try {
    core.options.on_state(state);
  } catch (...) {
    // An exception must not unwind into libnats's C thread.
  }
}

void on_connected(natsConnection*, void* closure) {
  report(core_of(closure), ConnectionState::kConnected);
}
void on_disconnected(natsConnection*, void* closure) {
  report(core_of(closure), ConnectionState::kDisconnected);
}
void on_reconnected(natsConnection*, void* closure) {
  report(core_of(closure), ConnectionState::kReconnected);
}

// The last callback libnats makes for a connection: the destructor waits for it.
void on_closed(natsConnection*, void* closure) {
  auto& core = core_of(closure);
  report(core, ConnectionState::kClosed);
  const std::lock_guard lock(core.mutex);
  core.closed = true;
  core.closed_changed.notify_all();
}

void on_async_error(natsConnection* connection, natsSubscription*, natsStatus status,
                    void* closure) {
  auto& core = core_of(closure);
  if (!core.options.on_async_error) return;
  // The server's own words (which subject a permission violation hit) when libnats kept
  // them for this error; some (slow consumer) leave an older error there instead.
  const char* text = nullptr;
  const bool own_text =
      natsConnection_GetLastError(connection, &text) == status && text != nullptr && *text != '\0';
  try {
    core.options.on_async_error(own_text ? text : natsStatus_GetText(status));
  } catch (...) {
  }
}

natsStatus on_user_jwt(char** user_jwt, char** error_text, void* closure) {
  try {
    const std::string jwt = core_of(closure).options.user_jwt();
    if (!jwt.empty()) {
      *user_jwt = malloc_copy(jwt);
      return *user_jwt != nullptr ? NATS_OK : NATS_NO_MEMORY;
    }
  } catch (...) {
  }
  *error_text = malloc_copy("no user JWT available");
  return NATS_ERR;
}

natsStatus on_sign_nonce(char** error_text, unsigned char** signature, int* signature_length,
                         const char* nonce, void* closure) {
  // A server that is not in operator mode sends no nonce (libnats then passes null): there
  // is nothing to sign and this JWT cannot log in there.
  if (nonce == nullptr) {
    *error_text = malloc_copy("the server sent no nonce to sign (it does not run operator mode)");
    return NATS_ERR;
  }
  try {
    const std::string signed_nonce = core_of(closure).options.sign_nonce(nonce);
    if (!signed_nonce.empty()) {
      *signature = reinterpret_cast<unsigned char*>(malloc_copy(signed_nonce));
      *signature_length = static_cast<int>(signed_nonce.size());
      return *signature != nullptr ? NATS_OK : NATS_NO_MEMORY;
    }
  } catch (...) {
  }
  *error_text = malloc_copy("cannot sign the server's nonce");
  return NATS_ERR;
}

Status configure_tls(natsOptions* opts, const TlsOptions& tls) {
  const bool on = tls.required || !tls.ca_file.empty() || !tls.ca_pem.empty() ||
                  !tls.cert_file.empty() || !tls.key_file.empty();
  if (!on) return {};
  if (auto ok = check(natsOptions_SetSecure(opts, true), "enable TLS"); !ok) return ok;
  if (!tls.ca_file.empty()) {
    if (auto ok = check(natsOptions_LoadCATrustedCertificates(opts, tls.ca_file.c_str()),
                        "load CA file " + tls.ca_file);
        !ok) {
      return ok;
    }
  }
  if (!tls.ca_pem.empty()) {
    if (auto ok = check(natsOptions_SetCATrustedCertificates(opts, tls.ca_pem.c_str()),
                        "load CA certificates");
        !ok) {
      return ok;
    }
  }
  if (!tls.cert_file.empty() || !tls.key_file.empty()) {
    if (auto ok = check(
            natsOptions_LoadCertificatesChain(opts, tls.cert_file.c_str(), tls.key_file.c_str()),
            "load client certificate " + tls.cert_file);
        !ok) {
      return ok;
    }
  }
  if (!tls.host_name.empty()) {
    return check(natsOptions_SetExpectedHostname(opts, tls.host_name.c_str()), "set TLS host name");
  }
  return {};
}

Status configure_reconnect(natsOptions* opts, ConnectionCore& core) {
  const ConnectionOptions& o = core.options;
  natsStatus s = natsOptions_SetMaxReconnect(opts, -1);  // forever
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, o.reconnect_wait.count());
  if (s == NATS_OK) {
    s = natsOptions_SetReconnectJitter(opts, o.reconnect_jitter.count(),
                                       o.reconnect_jitter_tls.count());
  }
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, o.connect_timeout.count());
  if (s == NATS_OK) s = natsOptions_SetPingInterval(opts, o.ping_interval.count());
  if (s == NATS_OK && o.retry_on_failed_connect) {
    s = natsOptions_SetRetryOnFailedConnect(opts, true, on_connected, &core);
  }
  return check(s, "set reconnect options");
}

Status configure_callbacks(natsOptions* opts, ConnectionCore& core) {
  natsStatus s = natsOptions_SetDisconnectedCB(opts, on_disconnected, &core);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts, on_reconnected, &core);
  if (s == NATS_OK) s = natsOptions_SetClosedCB(opts, on_closed, &core);
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(opts, on_async_error, &core);
  if (s == NATS_OK && core.options.user_jwt) {
    s = natsOptions_SetUserCredentialsCallbacks(opts, on_user_jwt, &core, on_sign_nonce, &core);
  }
  return check(s, "set connection callbacks");
}

Status configure(ConnectionCore& core) {
  const ConnectionOptions& o = core.options;
  natsOptions* opts = core.nats_options.get();
  std::vector<const char*> servers;
  for (const auto& url : o.servers) servers.push_back(url.c_str());
  natsStatus s = natsOptions_SetServers(opts, servers.data(), static_cast<int>(servers.size()));
  if (s == NATS_OK && !o.name.empty()) s = natsOptions_SetName(opts, o.name.c_str());
  if (s == NATS_OK && !o.inbox_prefix.empty()) {
    s = natsOptions_SetCustomInboxPrefix(opts, o.inbox_prefix.c_str());
  }
  if (auto ok = check(s, "set servers, name or inbox prefix"); !ok) return ok;
  if (auto ok = configure_tls(opts, o.tls); !ok) return ok;
  if (auto ok = configure_reconnect(opts, core); !ok) return ok;
  return configure_callbacks(opts, core);
}

Status validate(const ConnectionOptions& options) {
  if (options.servers.empty()) return fail(ErrorCode::kInvalidArgument, "no NATS server given");
  if (static_cast<bool>(options.user_jwt) != static_cast<bool>(options.sign_nonce)) {
    return fail(ErrorCode::kInvalidArgument,
                "JWT authentication needs both the user JWT and the nonce signer");
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::connect(ConnectionOptions options) {
  if (auto ok = validate(options); !ok) return fail(ok.error());
  auto core = std::make_unique<ConnectionCore>();
  core->options = std::move(options);
  natsOptions* raw_options = nullptr;
  if (auto ok = check(natsOptions_Create(&raw_options), "create NATS options"); !ok) {
    return fail(ok.error());
  }
  core->nats_options.reset(raw_options);
  if (auto ok = configure(*core); !ok) return fail(ok.error());

  natsConnection* raw = nullptr;
  const natsStatus s = natsConnection_Connect(&raw, core->nats_options.get());
  // NATS_NOT_YET_CONNECTED: no server now, libnats keeps trying (retry_on_failed_connect).
  if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
    return fail(
        detail::nats_error(s, fmt::format("connect to {}", fmt::join(core->options.servers, ","))));
  }
  core->connection.reset(raw);
  return std::unique_ptr<Connection>(new Connection(std::move(core)));
}

Connection::Connection(std::unique_ptr<detail::ConnectionCore> core) noexcept
    : core_(std::move(core)) {}

Connection::~Connection() {
  close();
}

bool Connection::connected() const noexcept {
  return natsConnection_Status(core_->connection.get()) == NATS_CONN_STATUS_CONNECTED;
}

Status Connection::publish(std::string_view subject, std::string_view data,
                           const Headers& headers) {
  const std::string subj(subject);
  const auto what = [&] { return "publish to " + subj; };
  natsConnection* nc = core_->connection.get();
  if (headers.empty()) {
    return check(
        natsConnection_Publish(nc, subj.c_str(), data.data(), static_cast<int>(data.size())),
        what());
  }
  natsMsg* raw = nullptr;
  if (auto ok = check(
          natsMsg_Create(&raw, subj.c_str(), nullptr, data.data(), static_cast<int>(data.size())),
          what());
      !ok) {
    return ok;
  }
  const detail::MsgHandle msg(raw);
  if (auto ok = detail::add_headers(msg.get(), headers); !ok) return ok;
  return check(natsConnection_PublishMsg(nc, msg.get()), what());
}

Result<Subscription> Connection::subscribe(std::string_view subject, MessageHandler handler) {
  auto core = std::make_unique<detail::SubscriptionCore>();
  core->handler = std::move(handler);
  const std::string subj(subject);
  if (auto ok = detail::start_subscription(core_->connection.get(), subj.c_str(), *core); !ok) {
    return fail(ok.error());
  }
  return Subscription(std::move(core));
}

Result<Message> Connection::request(std::string_view subject, std::string_view data,
                                    std::chrono::milliseconds timeout) {
  const std::string subj(subject);
  natsMsg* raw = nullptr;
  if (auto ok =
          check(natsConnection_Request(&raw, core_->connection.get(), subj.c_str(), data.data(),
                                       static_cast<int>(data.size()), timeout.count()),
                "request on " + subj);
      !ok) {
    return fail(ok.error());
  }
  const detail::MsgHandle reply(raw);
  return detail::copy_message(reply.get());
}

Status Connection::flush(std::chrono::milliseconds timeout) {
  return check(natsConnection_FlushTimeout(core_->connection.get(), timeout.count()), "flush");
}

void Connection::close() noexcept {
  natsConnection_Close(core_->connection.get());  // a no-op when already closed
  std::unique_lock lock(core_->mutex);
  core_->closed_changed.wait(lock, [&] { return core_->closed; });
}

}  // namespace common::nats
