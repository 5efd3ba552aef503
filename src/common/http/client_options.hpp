// ClientOptions: every knob of an HttpClient, one field each, with its default. Fixed when
// the client is created; a plain value type.
//
// Proxies: unless `proxy` is set, libcurl reads the environment at each request, by itself
// (curl 7.88, lib/url.c detect_proxy):
//   - http:// URLs use `http_proxy` in lowercase ONLY; uppercase HTTP_PROXY is ignored on
//     purpose (a CGI server sets HTTP_PROXY from a request's Proxy: header, "httpoxy").
//   - https:// URLs use `https_proxy`, else `HTTPS_PROXY`.
//   - otherwise `all_proxy` / `ALL_PROXY`.
//   - `no_proxy` / `NO_PROXY` (lowercase first): comma-separated host names (a leading dot
//     or none matches subdomains too), IP addresses or CIDR ranges, or "*" for every host.
// https:// through an http:// proxy tunnels with CONNECT; TLS stays end to end.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace common::http {

struct ClientOptions {
  // Time allowed for DNS, TCP connect and the TLS handshake of one connection.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  // Time allowed for a whole request, redirects and body included; 0: no limit (a layer of
  // several GB takes as long as it takes; the low-speed limit catches stalls).
  std::chrono::milliseconds request_timeout{0};
  // A transfer slower than low_speed_bytes per second for low_speed_time fails with
  // kTimeout: this is what stops a stalled download (or a server that accepts and never
  // answers) from hanging. low_speed_time 0 disables the check.
  std::size_t low_speed_bytes = 1;
  std::chrono::seconds low_speed_time{30};

  // TLS trust: PEM bundle file and/or OpenSSL hashed directory (c_rehash) of CA
  // certificates; both empty: the system store. Setting either replaces the system store.
  std::string ca_file;
  std::string ca_dir;
  // PEM certificates held in memory (a bundle stored with a registry endpoint); like
  // ca_file they replace the system store, and when both are set this one wins (libcurl's
  // CURLOPT_CAINFO_BLOB overrides CURLOPT_CAINFO).
  std::string ca_pem;
  // mTLS: PEM client certificate (chain) and its PEM private key; both or neither.
  std::string client_cert_file;
  std::string client_key_file;
  // Accepts any server certificate and host name. For tests and emergencies only: it
  // gives up authenticating the server.
  bool insecure_skip_verify = false;

  // User-Agent sent with every request unless the request sets its own.
  std::string user_agent = "harbor-satellite/0.1";
  // Redirects followed at most (registries redirect blob GETs to storage); 0: redirects
  // are returned as responses. An Authorization header is sent only to the host, port and
  // scheme of the original URL (CURLOPT_UNRESTRICTED_AUTH stays off).
  unsigned max_redirects = 10;
  // nullopt: proxies from the environment, as above. "": never a proxy, whatever the
  // environment says. Otherwise the proxy URL ("http://proxy:3128"); no_proxy still applies.
  std::optional<std::string> proxy;

  // Largest body request() buffers in ClientResponse::body (kTooLarge beyond); also bounds
  // the error body kept by a streaming request.
  std::size_t max_buffered_body = 16 * 1024 * 1024;
  // Idle connections kept open for reuse, across all hosts.
  std::size_t max_idle_connections = 8;
};

}  // namespace common::http
