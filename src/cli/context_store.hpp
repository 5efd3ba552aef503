// ContextStore: gcctl's named contexts (one per ground control a user works with) and the
// current one, kept in one YAML file: $GCCTL_CONFIG when set, else
// $XDG_CONFIG_HOME/gcctl/config.yaml, else ~/.config/gcctl/config.yaml. The file holds
// bearer tokens, so it is written with mode 0600, atomically (temp file and rename), in a
// directory made 0700. Its shape:
//     current-context: prod
//     contexts:
//       - name: prod
//         server: https://gc.example:8443
//         user: admin
//         token: gcs_…
//         certificate-authority: /etc/gc/ca.crt        # or
//         certificate-authority-data: "-----BEGIN …"   # a pinned CA, or
//         insecure-skip-tls-verify: true
// A value type: load, change, save; not for concurrent use.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace cli {

struct Context {
  std::string name;
  std::string server;   // https://HOST:PORT of the management listener
  std::string user;     // who logged in, for display
  std::string token;    // bearer token; empty after logout
  std::string ca_file;  // CA bundle file to verify the server with, or
  std::string ca_pem;   // the CA certificate itself (pinned by fingerprint at login), or
  bool insecure_skip_tls_verify = false;  // no verification at all
};

class ContextStore {
 public:
  // The file to use, from the environment variables' values (nullptr when unset).
  [[nodiscard]] static std::string default_path(const char* gcctl_config,
                                                const char* xdg_config_home, const char* home);

  // The contexts in `path`; none when the file does not exist. kInvalidArgument when it is
  // not such a YAML file; kPermissionDenied when it cannot be read.
  [[nodiscard]] static common::Result<ContextStore> load(const std::string& path);

  // Writes the contexts to the file (0600, atomically). Errors as posix_error().
  [[nodiscard]] common::Status save() const;

  // The context named `name`, or the current one when `name` is empty. kUnauthenticated
  // ("not logged in") when there is none; kNotFound when `name` names none.
  [[nodiscard]] common::Result<Context> select(const std::string& name) const;

  // Adds `context`, or replaces the one of its name.
  void put(Context context);
  // Makes `name` current; kNotFound when no context has that name.
  [[nodiscard]] common::Status use(const std::string& name);

  [[nodiscard]] const std::vector<Context>& contexts() const { return contexts_; }
  [[nodiscard]] const std::string& current() const { return current_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string current_;
  std::vector<Context> contexts_;
};

}  // namespace cli
