// The enroll phase: registering Satellite resources is a stream of creates spread over
// `management_connections` keep-alive API sessions (one shared login); enrolling makes each
// satellite's P-256 key and CSR here, as a device does, and posts it with the token over the
// satellite listener. Satellites already saved in --dir are left as they are.
#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>

#include "api_session.hpp"
#include "common/crypto/certificate_request.hpp"
#include "pacing.hpp"
#include "phases.hpp"
#include "report.hpp"
#include "sim_threads.hpp"

namespace fleet_sim {
namespace {

namespace asio = boost::asio;
using boost::beast::http::verb;

struct EnrollWork {
  const SimOptions& options;
  asio::ip::tcp::endpoint management;
  asio::ip::tcp::endpoint satellite_api;
  std::string token;                     // the admin login, shared by every session
  std::vector<std::string> enrollments;  // [i < satellites]: its token; "" when saved already
  std::vector<std::size_t> to_enroll;    // indexes with a token
  std::atomic<std::size_t> next{0};
};

nlohmann::json labels_of(const SimOptions& options, std::size_t index) {
  nlohmann::json labels = nlohmann::json::object();
  const auto eq = options.label.find('=');
  if (eq != std::string::npos) labels[options.label.substr(0, eq)] = options.label.substr(eq + 1);
  labels["shard"] = std::to_string(index % 16);    // something for label summaries to split on
  labels["block"] = std::to_string(index / 1000);  // block=0: a group of exactly 1,000
  return labels;
}

// The enrollment token of a satellite just made, or re-issued for one that exists.
asio::awaitable<common::Result<std::string>> create_one(ApiSession& session, EnrollWork& work,
                                                        std::size_t index, bool wants_token) {
  const auto name = satellite_name(index);
  // Bodies are named, not braced in the co_await: g++ 12 miscompiles string literals there.
  const nlohmann::json satellite = {
      {"metadata", {{"name", name}, {"labels", labels_of(work.options, index)}}}};
  auto created = co_await session.call(verb::post, "/api/v1/satellites", satellite);
  if (!created) co_return common::fail(created.error());
  if (created->status == 201) {
    if (!wants_token) co_return std::string();
    co_return created->body["enrollment"]["token"].get<std::string>();
  }
  if (created->status != 409)
    co_return common::fail(common::ErrorCode::kInternal, name + ": create: " + describe(*created));
  if (!wants_token) co_return std::string();
  const nlohmann::json none;
  auto issued = co_await session.call(verb::post, "/api/v1/satellites/" + name + "/token", none);
  if (!issued) co_return common::fail(issued.error());
  if (issued->status != 200)
    co_return common::fail(common::ErrorCode::kInternal, name + ": token: " + describe(*issued));
  co_return issued->body["token"].get<std::string>();
}

// Creates satellites until the work runs out; keeps the tokens of those to enroll.
asio::awaitable<void> register_worker(asio::io_context& io, asio::ssl::context& tls,
                                      EnrollWork& work, RunTally& tally) {
  ApiSession session(io, tls, work.management);
  session.use_token(work.token);
  for (std::size_t i; (i = work.next.fetch_add(1)) < work.options.register_count;) {
    const bool to_enroll = i < work.options.satellites;
    if (to_enroll && work.enrollments[i].empty()) continue;  // saved already
    const auto began = std::chrono::steady_clock::now();
    auto token = co_await create_one(session, work, i, to_enroll);
    if (!token) {
      tally.error(token.error().message());
      continue;
    }
    tally.latency.add(std::chrono::steady_clock::now() - began);
    ++tally.ok;
    if (to_enroll) work.enrollments[i] = std::move(*token);
  }
}

// Enrolls one satellite: key and CSR made here, the CSR and token posted, both files saved.
asio::awaitable<common::Status> enroll_one(ApiSession& session, const SimOptions& options,
                                           std::size_t index, const std::string& token) {
  const auto name = satellite_name(index);
  auto key = common::crypto::KeyPair::generate_p256();
  if (!key) co_return common::fail(key.error());
  auto request = common::crypto::CertificateRequest::create(*key, name);
  if (!request) co_return common::fail(request.error());
  auto csr = request->pem();
  if (!csr) co_return common::fail(csr.error());
  const nlohmann::json enrollment = {{"token", token}, {"csr", *csr}};
  auto enrolled = co_await session.call(verb::post, "/satellite/v1/enroll", enrollment);
  if (!enrolled) co_return common::fail(enrolled.error());
  if (enrolled->status != 200 || !enrolled->body.contains("certificate"))
    co_return common::fail(common::ErrorCode::kInternal, name + ": enroll: " + describe(*enrolled));
  co_return SatelliteIdentity::save(options.dir, name, *key,
                                    enrolled->body["certificate"].get<std::string>());
}

asio::awaitable<void> enroll_worker(asio::io_context& io, asio::ssl::context& tls, EnrollWork& work,
                                    RunTally& tally) {
  ApiSession session(io, tls, work.satellite_api);
  for (std::size_t k; (k = work.next.fetch_add(1)) < work.to_enroll.size();) {
    const auto index = work.to_enroll[k];
    const auto began = std::chrono::steady_clock::now();
    if (auto ok = co_await enroll_one(session, work.options, index, work.enrollments[index]); !ok) {
      tally.error(ok.error().message());
      continue;
    }
    tally.latency.add(std::chrono::steady_clock::now() - began);
    ++tally.ok;
  }
}

// Runs `workers` copies of `worker` over the threads; the tally and the wall time.
template <class Worker>
std::pair<RunTally, double> run_workers(const SimOptions& options, unsigned workers,
                                        Worker worker) {
  SimThreads threads(options.threads, options.ca_file);
  for (unsigned w = 0; w < workers; ++w) threads.spawn(w, worker);
  const auto began = std::chrono::steady_clock::now();
  threads.run();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - began;
  return {threads.merged(), took.count()};
}

common::Result<std::string> admin_login(const SimOptions& options,
                                        const asio::ip::tcp::endpoint& management) {
  asio::io_context io;
  auto tls = client_tls_context(options.ca_file);
  ApiSession session(io, tls, management);
  common::Status result = common::fail(common::ErrorCode::kInternal, "login did not run");
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> { result = co_await session.login(options.admin_password); },
      asio::detached);
  io.run();
  if (!result) return common::fail(result.error());
  return session.token();
}

}  // namespace

int run_enroll(const SimOptions& options) {
  std::filesystem::create_directories(options.dir);
  EnrollWork work{options, parse_endpoint(options.management_api),
                  parse_endpoint(options.satellite_api)};
  auto token = admin_login(options, work.management);
  if (!token) {
    fmt::print(stderr, "fleet-sim enroll: {}\n", token.error().message());
    return 1;
  }
  work.token = std::move(*token);
  // A marker for the satellites saved already, so that a second run neither re-creates nor
  // re-enrolls them ("" = nothing to do; anything else is overwritten with the token).
  work.enrollments.assign(options.satellites, "?");
  for (std::size_t i = 0; i < options.satellites; ++i)
    if (SatelliteIdentity::saved_in(options.dir, satellite_name(i))) work.enrollments[i].clear();

  auto [registered, register_seconds] =
      run_workers(options, options.management_connections,
                  [&work](asio::io_context& io, asio::ssl::context& tls, RunTally& tally) {
                    return register_worker(io, tls, work, tally);
                  });
  int status = report("register", registered, register_seconds);

  for (std::size_t i = 0; i < options.satellites; ++i)
    if (!work.enrollments[i].empty() && work.enrollments[i] != "?") work.to_enroll.push_back(i);
  work.next = 0;
  auto [enrolled, enroll_seconds] =
      run_workers(options, options.management_connections,
                  [&work](asio::io_context& io, asio::ssl::context& tls, RunTally& tally) {
                    return enroll_worker(io, tls, work, tally);
                  });
  const auto saved = options.satellites - work.to_enroll.size();
  fmt::print(stderr, "fleet-sim enroll: {} enrolled now, {} saved before in {}\n", enrolled.ok,
             saved, options.dir);
  const int enroll_status = report("enroll", enrolled, enroll_seconds);
  return status != 0 ? status : enroll_status;
}

}  // namespace fleet_sim
