// The admin socket: how `satellite import`/`export` hand their work to the running
// satellite, which holds the data dir's lock. A Unix stream socket at
// StoragePaths::admin_socket() (mode 0600), created by the serve process. One request per
// connection: the client sends one LayoutRequest line with the layout's fd attached
// (SCM_RIGHTS) and reads one answer line, "ok <summary>" or "error <message>".
//
// Why an fd rather than a path: the command opens the layout (or the export target) with
// its own credentials and in its own mount namespace, so the satellite reads or writes
// exactly what the operator could, even when its unit runs with ProtectSystem/PrivateTmp or
// as another user, and a path can never make it open something on the caller's behalf.
// Peers are checked with SO_PEERCRED: only the satellite's own uid or root may connect
// (the 0600 mode says the same; the check stands even in the moment between bind and chmod).
//
// AdminServer owns its listening socket and one thread that accepts and serves requests one
// at a time (an import is long and blocking; a second client waits in the backlog).
// Destroying it stops the thread and removes the socket file.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/fs/unique_fd.hpp"
#include "common/log/logger.hpp"
#include "common/result.hpp"
#include "satellite/admin/layout_request.hpp"

namespace satellite::admin {

class AdminServer {
 public:
  // Runs one request on the server's thread; returns the summary line.
  using Handler =
      std::function<common::Result<std::string>(const LayoutRequest&, common::fs::UniqueFd)>;

  // Binds `path` (replacing a stale socket: the caller holds the data dir lock; a path too
  // long for sun_path is bound through its directory's fd) and starts serving. Socket errors.
  [[nodiscard]] static common::Result<std::unique_ptr<AdminServer>> start(
      std::string path, Handler handler, common::log::Logger logger);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

 private:
  AdminServer(std::string path, common::fs::UniqueFd listener, common::fs::UniqueFd wake_read,
              common::fs::UniqueFd wake_write, Handler handler, common::log::Logger logger);
  void serve();
  void serve_one(common::fs::UniqueFd connection);

  std::string path_;
  common::fs::UniqueFd listener_;
  common::fs::UniqueFd wake_read_;  // readable once the destructor asks the thread to stop
  common::fs::UniqueFd wake_write_;
  Handler handler_;
  common::log::Logger logger_;
  std::jthread thread_;  // last: starts after, and stops before, the members it uses
};

// Sends `request` with `target` attached to the satellite listening on `path` and waits
// for its answer; returns the summary. kUnavailable when nothing listens there; the
// satellite's error as kInternal with its message.
[[nodiscard]] common::Result<std::string> send_request(const std::string& path,
                                                       const LayoutRequest& request, int target);

}  // namespace satellite::admin
