#include "satellite/admin/admin_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/fs/posix_error.hpp"

namespace satellite::admin {
namespace {

using common::fs::UniqueFd;
constexpr std::size_t kMaxLine = 4096;

// A socket address for `path`. A path too long for sun_path (108 bytes: a deep data dir) is
// reached through its directory's fd, /proc/self/fd/<n>/<name>, which must stay open while
// the address is used.
struct SocketAddress {
  sockaddr_un address{};
  UniqueFd dir;
};

common::Result<SocketAddress> address_of(const std::string& path) {
  SocketAddress result;
  result.address.sun_family = AF_UNIX;
  std::string name = path;
  if (name.size() >= sizeof(result.address.sun_path)) {
    const auto slash = path.rfind('/');
    const auto dir = slash == std::string::npos ? std::string(".") : path.substr(0, slash);
    result.dir.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!result.dir) return common::fail(common::fs::posix_error("open", dir, errno));
    name = "/proc/self/fd/" + std::to_string(result.dir.get()) + "/" + path.substr(slash + 1);
  }
  if (name.size() >= sizeof(result.address.sun_path))
    return common::fail(common::ErrorCode::kInvalidArgument, "admin socket name too long", path);
  std::memcpy(result.address.sun_path, name.c_str(), name.size() + 1);
  return result;
}

const sockaddr* as_sockaddr(const SocketAddress& address) {
  return reinterpret_cast<const sockaddr*>(&address.address);
}

common::Status send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0) return common::fail(common::fs::posix_error("send", "admin socket", errno));
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return {};
}

// Reads up to a newline or EOF, at most kMaxLine bytes.
common::Result<std::string> read_line(int fd) {
  std::string line;
  char c = 0;
  while (line.size() < kMaxLine) {
    const auto got = ::recv(fd, &c, 1, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return common::fail(common::fs::posix_error("recv", "admin socket", errno));
    if (got == 0 || c == '\n') return line;
    line += c;
  }
  return line;
}

// Receives the request line and the fd sent with its first bytes.
common::Result<std::pair<std::string, UniqueFd>> receive(int fd) {
  char data[kMaxLine];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  iovec io{data, sizeof(data)};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof(control);
  ssize_t got = 0;
  do {
    got = ::recvmsg(fd, &message, MSG_CMSG_CLOEXEC);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return common::fail(common::fs::posix_error("recvmsg", "admin socket", errno));
  UniqueFd target;
  for (auto* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const auto count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int passed = -1;
      std::memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (!target)
        target.reset(passed);
      else
        ::close(passed);  // one fd per request; more are refused by closing them
    }
  }
  std::string line(data, static_cast<std::size_t>(got));
  if (const auto newline = line.find('\n'); newline != std::string::npos) line.resize(newline);
  if ((message.msg_flags & MSG_CTRUNC) || !target)
    return common::fail(common::ErrorCode::kInvalidArgument, "admin request without its layout");
  return std::make_pair(std::move(line), std::move(target));
}

bool peer_allowed(int fd) {
  ucred peer{};
  socklen_t length = sizeof(peer);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0) return false;
  return peer.uid == ::geteuid() || peer.uid == 0;
}

}  // namespace

common::Result<std::unique_ptr<AdminServer>> AdminServer::start(std::string path, Handler handler,
                                                                common::log::Logger logger) {
  auto address = address_of(path);
  if (!address) return common::fail(address.error());
  UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener) return common::fail(common::fs::posix_error("socket", path, errno));
  ::unlink(path.c_str());  // a stale socket of a killed satellite: we hold the lock now
  if (::bind(listener.get(), as_sockaddr(*address), sizeof(address->address)) != 0)
    return common::fail(common::fs::posix_error("bind", path, errno));
  if (::chmod(path.c_str(), 0600) != 0 || ::listen(listener.get(), 8) != 0)
    return common::fail(common::fs::posix_error("listen", path, errno));
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    return common::fail(common::fs::posix_error("pipe", path, errno));
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(path), std::move(listener),
                                                      UniqueFd(pipe_fds[0]), UniqueFd(pipe_fds[1]),
                                                      std::move(handler), std::move(logger)));
}

AdminServer::AdminServer(std::string path, UniqueFd listener, UniqueFd wake_read,
                         UniqueFd wake_write, Handler handler, common::log::Logger logger)
    : path_(std::move(path)),
      listener_(std::move(listener)),
      wake_read_(std::move(wake_read)),
      wake_write_(std::move(wake_write)),
      handler_(std::move(handler)),
      logger_(std::move(logger)),
      thread_([this] { serve(); }) {}

AdminServer::~AdminServer() {
  wake_write_.reset();  // EOF on the pipe wakes the poll
  if (thread_.joinable()) thread_.join();
  ::unlink(path_.c_str());
}

void AdminServer::serve() {
  for (;;) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      logger_->error("admin socket: poll failed: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents) return;
    UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (connection) serve_one(std::move(connection));
  }
}

void AdminServer::serve_one(UniqueFd connection) {
  if (!peer_allowed(connection.get())) {
    (void)send_all(connection.get(), "error permission denied: not the satellite's user\n");
    return;
  }
  // A client that connects and sends nothing must not hold the only admin thread.
  timeval timeout{10, 0};
  ::setsockopt(connection.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  auto answer = [&]() -> common::Result<std::string> {
    auto received = receive(connection.get());
    if (!received) return common::fail(received.error());
    auto request = LayoutRequest::parse(received->first);
    if (!request) return common::fail(request.error());
    return handler_(*request, std::move(received->second));
  }();
  std::string line;
  if (answer) {
    logger_->info("admin: {}", *answer);
    line = "ok " + *answer;
  } else {
    const auto& e = answer.error();
    line = "error " + e.message() + (e.detail().empty() ? "" : ": " + e.detail());
    logger_->warn("admin request failed: {}", line.substr(6));
  }
  for (auto& c : line) {
    if (c == '\n') c = ' ';
  }
  (void)send_all(connection.get(), line + "\n");
}

common::Result<std::string> send_request(const std::string& path, const LayoutRequest& request,
                                         int target) {
  auto address = address_of(path);
  if (!address) return common::fail(address.error());
  UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket) return common::fail(common::fs::posix_error("socket", path, errno));
  if (::connect(socket.get(), as_sockaddr(*address), sizeof(address->address)) != 0)
    return common::fail(common::ErrorCode::kUnavailable,
                        "the running satellite does not answer on its admin socket",
                        path + ": " + std::strerror(errno));
  const auto line = request.encode();
  iovec io{const_cast<char*>(line.data()), line.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof(control);
  auto* c = CMSG_FIRSTHDR(&message);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &target, sizeof(int));
  if (::sendmsg(socket.get(), &message, MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
    return common::fail(common::fs::posix_error("sendmsg", path, errno));
  auto answer = read_line(socket.get());
  if (!answer) return common::fail(answer.error());
  if (answer->starts_with("ok ")) return answer->substr(3);
  if (answer->starts_with("error "))
    return common::fail(common::ErrorCode::kInternal, answer->substr(6));
  return common::fail(common::ErrorCode::kUnavailable, "the satellite closed the admin socket");
}

}  // namespace satellite::admin
