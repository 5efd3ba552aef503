// HttpClient: a blocking HTTP/1.1 and HTTP/2 client over libcurl, for the satellite's
// upstream replication, the registry adapters and tests. One client per process (or per
// upstream with its own TLS identity) serves every thread.
//
// Connections: a request borrows a CURL easy handle from a small idle pool (or makes one)
// and returns it afterwards. All handles share one CURLSH holding the connection cache,
// the DNS cache and TLS session ids, so a keep-alive connection to a host is reused by the
// next request to it whatever thread or handle makes it, and idle connections are bounded
// by ClientOptions::max_idle_connections for the whole client. Concurrent requests to one
// host each get their own connection. The share's locks are members of the client.
//
// Redirects are followed (max_redirects); an Authorization header, and credentials in the
// URL, go only to the original scheme, host and port (libcurl >= 7.83 with
// CURLOPT_UNRESTRICTED_AUTH off, which this client never turns on), so a registry's token
// never reaches the storage a blob GET redirects to. Bodies are never decoded
// (no Accept-Encoding): the bytes received are the bytes whose digest is checked.
// Proxies: see client_options.hpp.
//
// Errors never carry credentials: URLs in messages lose user info and query.
// Thread-safety: request() may be called from any number of threads at once; each call
// blocks its thread for the whole transfer, so call it from a blocking pool, never from an
// I/O thread. Callbacks (BodySink, UploadSource::read) run on the calling thread.
// Destroy the client only when no request is running.
#pragma once

#include <memory>

#include "common/http/client_options.hpp"
#include "common/http/client_request.hpp"
#include "common/http/client_response.hpp"
#include "common/result.hpp"

namespace common::http {

class HttpClient {
 public:
  // Checks the options: kInvalidArgument when a client certificate comes without its key
  // (or the other way round) or a named TLS file or directory does not exist;
  // kInternal when libcurl cannot be initialised or is not built thread-safe.
  [[nodiscard]] static Result<std::unique_ptr<HttpClient>> create(ClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` and returns the final response with its whole body buffered, whatever
  // its status (a 404 is a response, not an error). Errors: the transport's (see
  // detail/curl_error.hpp: kTimeout, kUnavailable, kPermissionDenied, kInvalidArgument),
  // kTooLarge when the body exceeds max_buffered_body, or the UploadSource's error.
  [[nodiscard]] Result<ClientResponse> request(const ClientRequest& request);

  // As above, but a 2xx body goes to `sink` chunk by chunk as it arrives and is not kept;
  // the body of any other status is buffered in the response (bounded by
  // max_buffered_body) so the caller can read the error. The sink's error aborts the
  // transfer and is returned as is.
  [[nodiscard]] Result<ClientResponse> request(const ClientRequest& request, const BodySink& sink);

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace common::http
