#include "common/http/http_client.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <vector>

#include "common/fs/posix_error.hpp"
#include "common/http/detail/curl_error.hpp"

namespace common::http {
namespace {

struct EasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// Idle easy handles kept for reuse; more than this are cleaned up after their request
// (their connections live in the share, not in the handle).
constexpr std::size_t kMaxIdleHandles = 4;

// Everything one transfer's callbacks read and write; lives on the caller's stack.
struct Transfer {
  ClientResponse response;
  const BodySink* sink = nullptr;
  std::size_t max_buffered = 0;
  std::optional<Error> callback_error;  // from the sink or the upload source
  bool too_large = false;
  bool resuming = false;       // the request asked for a range
  bool range_ignored = false;  // ... and the server answered 200 with the whole body
  // Request body: a held string (seekable) or a streamed source.
  std::string_view body;
  std::size_t body_offset = 0;
  const UploadSource* upload = nullptr;
  std::stop_token stop;  // the request's
  bool stopped = false;
};

bool is_2xx(int status) {
  return status >= 200 && status < 300;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {  // a new response: 1xx, a redirect, or the final one
    transfer.response.headers.clear();
    transfer.response.body.clear();
    const auto space = line.find(' ');
    transfer.response.status = space == std::string_view::npos
                                   ? 0
                                   : std::atoi(std::string(line.substr(space + 1, 3)).c_str());
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    transfer.response.headers.add(line.substr(0, colon), line.substr(colon + 1));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::string_view chunk(data, size * count);
  if (transfer.sink != nullptr && transfer.resuming && transfer.response.status == 200) {
    transfer.range_ignored = true;  // not the bytes the sink expects: stop before any arrives
    return 0;
  }
  if (transfer.sink != nullptr && is_2xx(transfer.response.status)) {
    auto status = (*transfer.sink)(chunk);
    if (!status) {
      transfer.callback_error = std::move(status.error());
      return 0;  // CURLE_WRITE_ERROR aborts the transfer
    }
    return chunk.size();
  }
  if (transfer.response.body.size() + chunk.size() > transfer.max_buffered) {
    transfer.too_large = true;
    return 0;
  }
  transfer.response.body.append(chunk);
  return chunk.size();
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t room = size * count;
  if (transfer.upload == nullptr) {
    const std::size_t n = std::min(room, transfer.body.size() - transfer.body_offset);
    std::memcpy(buffer, transfer.body.data() + transfer.body_offset, n);
    transfer.body_offset += n;
    return n;
  }
  auto n = transfer.upload->read(std::span<char>(buffer, room));
  if (!n) {
    transfer.callback_error = std::move(n.error());
    return CURL_READFUNC_ABORT;
  }
  return std::min(*n, room);
}

// Called about once a second, and on every chunk: a non-zero answer aborts the transfer.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto& transfer = *static_cast<Transfer*>(user);
  if (!transfer.stop.stop_requested()) return 0;
  transfer.stopped = true;
  return 1;
}

int on_seek(void* user, curl_off_t offset, int origin) {
  auto& transfer = *static_cast<Transfer*>(user);
  if (transfer.upload != nullptr || origin != SEEK_SET || offset < 0 ||
      static_cast<std::size_t>(offset) > transfer.body.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  transfer.body_offset = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

Status check_path(const std::string& path, const char* what) {
  std::error_code error;
  if (!path.empty() && !std::filesystem::exists(path, error)) {
    return fail(ErrorCode::kInvalidArgument, std::string(what) + " not found", path);
  }
  return {};
}

}  // namespace

UploadSource UploadSource::from_fd(int fd, std::uint64_t length) {
  return UploadSource{length, [fd](std::span<char> buffer) -> Result<std::size_t> {
                        for (;;) {
                          const ssize_t n = ::read(fd, buffer.data(), buffer.size());
                          if (n >= 0) return static_cast<std::size_t>(n);
                          if (errno != EINTR) return fail(fs::posix_error("read", "upload", errno));
                        }
                      }};
}

struct HttpClient::Impl {
  ClientOptions options;
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;  // one per kind of shared data
  std::mutex idle_mutex;
  std::vector<EasyHandle> idle;  // guarded by idle_mutex

  ~Impl() {
    idle.clear();  // every handle must leave the share before it is cleaned up
    if (share != nullptr) curl_share_cleanup(share);
    curl_global_cleanup();
  }

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Impl*>(user)->share_locks[data].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Impl*>(user)->share_locks[data].unlock();
  }

  Result<EasyHandle> acquire() {
    {
      std::lock_guard lock(idle_mutex);
      if (!idle.empty()) {
        EasyHandle handle = std::move(idle.back());
        idle.pop_back();
        curl_easy_reset(handle.get());  // keeps the share, forgets every option
        return handle;
      }
    }
    EasyHandle handle(curl_easy_init());
    if (!handle) return fail(ErrorCode::kResourceExhausted, "curl_easy_init failed");
    return handle;
  }

  void release(EasyHandle handle) {
    std::lock_guard lock(idle_mutex);
    if (idle.size() < kMaxIdleHandles) idle.push_back(std::move(handle));
  }

  void set_client_options(CURL* h) const;
  Result<ClientResponse> perform(const ClientRequest& request, const BodySink* sink);
};

void HttpClient::Impl::set_client_options(CURL* h) const {
  const ClientOptions& o = options;
  curl_easy_setopt(h, CURLOPT_SHARE, share);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: threads
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(o.request_timeout.count()));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(o.low_speed_bytes));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(o.low_speed_time.count()));
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_MAXCONNECTS, static_cast<long>(o.max_idle_connections));
  // Trust: a configured file or directory replaces the system store entirely, so the
  // built-in default of the other one is cleared.
  if (!o.ca_file.empty() || !o.ca_dir.empty() || !o.ca_pem.empty()) {
    curl_easy_setopt(h, CURLOPT_CAINFO, o.ca_file.empty() ? nullptr : o.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_CAPATH, o.ca_dir.empty() ? nullptr : o.ca_dir.c_str());
  }
  if (!o.ca_pem.empty()) {
    // libcurl copies the blob (CURL_BLOB_COPY), so the options may change or go afterwards.
    curl_blob blob{const_cast<char*>(o.ca_pem.data()), o.ca_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (!o.client_cert_file.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLCERT, o.client_cert_file.c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLKEY, o.client_key_file.c_str());
  }
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, o.insecure_skip_verify ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, o.insecure_skip_verify ? 0L : 2L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, o.max_redirects > 0 ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, static_cast<long>(o.max_redirects));
  curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);  // never: see the header
  if (o.proxy) curl_easy_setopt(h, CURLOPT_PROXY, o.proxy->c_str());
}

Result<ClientResponse> HttpClient::Impl::perform(const ClientRequest& request,
                                                 const BodySink* sink) {
  if (request.body && request.upload) {
    return fail(ErrorCode::kInvalidArgument, "a request has a body or an upload, not both");
  }
  auto acquired = acquire();
  if (!acquired) return fail(std::move(acquired.error()));
  EasyHandle handle = std::move(*acquired);
  CURL* h = handle.get();
  set_client_options(h);

  Transfer transfer;
  transfer.sink = sink;
  transfer.resuming = request.resume_from.has_value();
  transfer.max_buffered = options.max_buffered_body;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer.data());
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  transfer.stop = request.stop;
  if (request.stop.stop_possible()) {
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  } else {
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 1L);  // a reused handle may have had it on
  }

  // Methods that carry a body always send one (Content-Length: 0 at least).
  const bool has_body = request.body || request.upload || request.method == "POST" ||
                        request.method == "PUT" || request.method == "PATCH";
  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET" && !has_body) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (has_body) {
    transfer.upload = request.upload ? &*request.upload : nullptr;
    if (request.body) transfer.body = *request.body;
    const auto length = request.upload ? request.upload->length : transfer.body.size();
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);  // with CUSTOMREQUEST: any method, not only PUT
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(length));
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, &transfer);
  }

  curl_slist* raw = nullptr;
  auto append = [&raw](const std::string& line) {
    if (auto* next = curl_slist_append(raw, line.c_str())) raw = next;
  };
  for (const auto& [name, value] : request.headers) {
    append(value.empty() ? name + ";" : name + ": " + value);  // "Name;" sends it empty
  }
  append("Expect:");  // no 100-continue round trip before a body
  if (request.resume_from) append("Range: bytes=" + std::to_string(*request.resume_from) + "-");
  Slist headers(raw);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

  const CURLcode code = curl_easy_perform(h);
  ClientResponse& response = transfer.response;
  long status = 0, redirects = 0, connects = 0;
  char* effective = nullptr;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(h, CURLINFO_REDIRECT_COUNT, &redirects);
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
  response.effective_url = detail::redact_url(effective != nullptr ? effective : "");
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);  // the buffer leaves scope
  release(std::move(handle));

  if (transfer.stopped)
    return fail(ErrorCode::kUnavailable,
                request.method + " " + detail::redact_url(request.url) + ": request stopped");
  if (transfer.callback_error) return fail(std::move(*transfer.callback_error));
  if (transfer.too_large) {
    return fail(ErrorCode::kTooLarge,
                request.method + " " + detail::redact_url(request.url) +
                    ": response body exceeds the buffered limit",
                std::to_string(options.max_buffered_body) + " bytes");
  }
  if (code != CURLE_OK && !transfer.range_ignored) {
    return fail(detail::curl_error(code, request.method, request.url, error_buffer.data()));
  }
  response.status = static_cast<int>(status);
  response.redirects = static_cast<unsigned>(redirects);
  response.new_connections = static_cast<unsigned>(connects);
  return std::move(response);
}

Result<std::unique_ptr<HttpClient>> HttpClient::create(ClientOptions options) {
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return fail(ErrorCode::kInvalidArgument, "a client certificate needs its key and vice versa");
  }
  for (const auto& [path, what] :
       {std::pair{&options.ca_file, "CA file"}, std::pair{&options.ca_dir, "CA directory"},
        std::pair{&options.client_cert_file, "client certificate"},
        std::pair{&options.client_key_file, "client key"}}) {
    if (auto status = check_path(*path, what); !status) return fail(std::move(status.error()));
  }
  const curl_version_info_data* version = curl_version_info(CURLVERSION_NOW);
  if ((version->features & CURL_VERSION_THREADSAFE) == 0) {
    return fail(ErrorCode::kInternal, "libcurl is not built thread-safe", version->version);
  }
  // Reference-counted and thread-safe since 7.84 (CURL_VERSION_THREADSAFE); ~Impl undoes it.
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return fail(ErrorCode::kInternal, "curl_global_init failed");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->share = curl_share_init();
  if (impl->share == nullptr) return fail(ErrorCode::kResourceExhausted, "curl_share_init failed");
  curl_share_setopt(impl->share, CURLSHOPT_LOCKFUNC, &Impl::lock);
  curl_share_setopt(impl->share, CURLSHOPT_UNLOCKFUNC, &Impl::unlock);
  curl_share_setopt(impl->share, CURLSHOPT_USERDATA, impl.get());
  for (auto data : {CURL_LOCK_DATA_CONNECT, CURL_LOCK_DATA_DNS, CURL_LOCK_DATA_SSL_SESSION}) {
    curl_share_setopt(impl->share, CURLSHOPT_SHARE, data);
  }
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

Result<ClientResponse> HttpClient::request(const ClientRequest& request) {
  return impl_->perform(request, nullptr);
}

Result<ClientResponse> HttpClient::request(const ClientRequest& request, const BodySink& sink) {
  return impl_->perform(request, &sink);
}

}  // namespace common::http
