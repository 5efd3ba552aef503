// `gcctl login SERVER` and `gcctl logout`: a session token for a context, kept in the
// config file, and its end.
#include <fmt/format.h>

#include <filesystem>

#include "cli/commands/commands.hpp"
#include "cli/password_prompt.hpp"
#include "common/http/pinned_ca.hpp"

namespace cli::commands {
namespace {

using common::ErrorCode;
using common::fail;
using nlohmann::json;

struct LoginFlags {
  std::string server;
  std::string username;
  bool password_stdin = false;
  std::string ca_file;
  std::string fingerprint;
  bool insecure = false;
};

// The context's trust as the flags say: a CA file, a CA pinned by its fingerprint (fetched
// now, then kept), no verification, or the system's CAs.
common::Status set_trust(Context& context, const LoginFlags& flags) {
  const int chosen = (flags.ca_file.empty() ? 0 : 1) + (flags.fingerprint.empty() ? 0 : 1) +
                     (flags.insecure ? 1 : 0);
  if (chosen > 1)
    return fail(ErrorCode::kInvalidArgument,
                "give one of --certificate-authority, --ca-fingerprint and "
                "--insecure-skip-tls-verify");
  if (!flags.ca_file.empty()) {
    std::error_code error;
    const auto absolute = std::filesystem::absolute(flags.ca_file, error);
    if (error || !std::filesystem::is_regular_file(absolute))
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("--certificate-authority {}: no such file", flags.ca_file));
    context.ca_file = absolute.string();
  }
  if (!flags.fingerprint.empty()) {
    auto pin = common::http::parse_fingerprint(flags.fingerprint);
    if (!pin) return fail(pin.error());
    auto pem = common::http::fetch_pinned_ca(context.server, *pin);
    if (!pem)
      return fail(pem.error().code() == ErrorCode::kPermissionDenied ? ErrorCode::kUnavailable
                                                                     : pem.error().code(),
                  pem.error().message());
    context.ca_pem = *pem;
  }
  context.insecure_skip_tls_verify = flags.insecure;
  return {};
}

// The name a new context gets: --context, else the server's host:port.
std::string context_name_for(const Session& session, const std::string& server) {
  if (!session.context_name.empty()) return session.context_name;
  auto name = server.substr(server.find("://") == std::string::npos ? 0 : server.find("://") + 3);
  while (name.ends_with('/')) name.pop_back();
  return name;
}

common::Status login(Session& session, const LoginFlags& flags) {
  auto store = session.load_store();
  if (!store) return fail(store.error());
  Context context;
  context.server = flags.server;
  while (context.server.ends_with('/')) context.server.pop_back();
  context.name = context_name_for(session, context.server);
  // Allowed (a lab, a loopback), but never silently: everything after this is readable on
  // the wire.
  if (context.server.starts_with("http://"))
    session.err() << fmt::format(
        "warning: {} is plain HTTP: the password and the session token travel unencrypted "
        "(use https://)\n",
        context.server);
  context.user = flags.username;
  if (auto trusted = set_trust(context, flags); !trusted) return trusted;
  auto client = ManagementClient::create(context);
  if (!client) return fail(client.error());
  auto password = read_password(session, flags.password_stdin);
  if (!password) return fail(password.error());
  auto answer = (*client)->call("POST", "/api/v1/login", {},
                                json{{"username", flags.username}, {"password", *password}});
  if (!answer) {
    if (answer.error().code() == ErrorCode::kUnauthenticated)
      return fail(ErrorCode::kUnauthenticated, "login refused: wrong user name or password");
    return fail(answer.error());
  }
  context.token = answer->value("token", "");
  store->put(context);
  if (auto used = store->use(context.name); !used) return used;
  if (auto saved = store->save(); !saved) return saved;
  session.out() << fmt::format("Logged in to {} as {} ({}) until {}; context \"{}\"\n",
                               context.server, context.user, answer->value("role", "?"),
                               answer->value("expiresAt", "?"), context.name);
  return {};
}

common::Status logout(Session& session) {
  auto store = session.load_store();
  if (!store) return fail(store.error());
  auto context = store->select(session.context_name);
  if (!context) return fail(context.error());
  if (!context->token.empty()) {
    auto client = ManagementClient::create(*context);
    if (!client) return fail(client.error());
    auto answer = (*client)->call("POST", "/api/v1/logout");
    // An expired token is as good as ended; anything else (unreachable) keeps it.
    if (!answer && answer.error().code() != ErrorCode::kUnauthenticated)
      return fail(answer.error());
  }
  context->token.clear();
  store->put(*context);
  if (auto saved = store->save(); !saved) return saved;
  session.out() << fmt::format("Logged out of {} (context \"{}\")\n", context->server,
                               context->name);
  return {};
}

}  // namespace

void add_login_commands(CLI::App& app, Session& session) {
  auto flags = std::make_shared<LoginFlags>();
  auto* cmd = app.add_subcommand("login", "Log in to a ground control and save the context");
  cmd->add_option("SERVER", flags->server, "https://HOST:PORT of the management listener")
      ->required();
  cmd->add_option("-u,--username", flags->username, "user name")->required();
  cmd->add_flag("--password-stdin", flags->password_stdin,
                "read the password from stdin's first line (else it is asked for)");
  cmd->add_option("--certificate-authority", flags->ca_file,
                  "PEM CA bundle to verify the server with");
  cmd->add_option("--ca-fingerprint", flags->fingerprint,
                  "trust the CA the server presents with this SHA-256 (sha256:HEX)");
  cmd->add_flag("--insecure-skip-tls-verify", flags->insecure,
                "do not verify the server's certificate (tests only)");
  cmd->footer("The context is named after --context, else HOST:PORT, and becomes the current one.");
  cmd->callback([&session, flags] { session.set_outcome(login(session, *flags)); });

  auto* out = app.add_subcommand("logout", "End the session of the current (or --context) context");
  out->callback([&session] { session.set_outcome(logout(session)); });
}

}  // namespace cli::commands
