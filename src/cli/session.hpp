// Session: what every gcctl command shares for one run: the config file and the context
// chosen (--context, else the current one), the management client made from it, the
// streams to print to and the clock. main builds one and hands it to every command's
// callback; a command stores its outcome here and main turns it into the exit code.
// Thread-safety: one run, one thread.
#pragma once

#include <chrono>
#include <iosfwd>
#include <memory>
#include <string>

#include "cli/context_store.hpp"
#include "cli/management_client.hpp"
#include "common/result.hpp"

namespace cli {

class Session {
 public:
  Session(std::string config_path, std::ostream& out, std::ostream& err, std::istream& in)
      : config_path(std::move(config_path)), out_(out), err_(err), in_(in) {}

  // --config: the config file (ContextStore::default_path unless given).
  std::string config_path;
  // --context: the context to use instead of the current one ("" for the current one).
  std::string context_name;

  // The config file's contexts. Errors as ContextStore::load.
  [[nodiscard]] common::Result<ContextStore> load_store() const {
    return ContextStore::load(config_path);
  }
  // A client of the chosen context, holding its token. kUnauthenticated when there is no
  // context or it has no token (logged out); else as ManagementClient::create.
  [[nodiscard]] common::Result<std::unique_ptr<ManagementClient>> client() const;

  [[nodiscard]] std::ostream& out() { return out_; }
  [[nodiscard]] std::ostream& err() { return err_; }
  [[nodiscard]] std::istream& in() { return in_; }
  [[nodiscard]] std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::now();
  }

  // The outcome of the command that ran; main exits with its code.
  void set_outcome(common::Status outcome) { outcome_ = std::move(outcome); }
  [[nodiscard]] const common::Status& outcome() const { return outcome_; }

 private:
  std::ostream& out_;
  std::ostream& err_;
  std::istream& in_;
  common::Status outcome_;
};

}  // namespace cli
