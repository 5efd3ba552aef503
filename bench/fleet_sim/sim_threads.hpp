// SimThreads: the simulator's io threads with what each one owns, so that no lock sits on
// the request path: its TLS client context (trusting --ca) and its RunTally, merged once
// the threads have stopped. Work item i runs on thread i % size().
// Thread-safety: spawn() before run(); merged() after it.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <string>
#include <vector>

#include "https_connection.hpp"
#include "io_threads.hpp"
#include "run_tally.hpp"

namespace fleet_sim {

class SimThreads {
 public:
  SimThreads(unsigned threads, const std::string& ca_file) : io_(threads), tallies_(io_.size()) {
    for (std::size_t t = 0; t < io_.size(); ++t) tls_.push_back(client_tls_context(ca_file));
  }

  // Starts make(io_context&, ssl::context&, RunTally&) — an awaitable — on thread i % size().
  template <class Make>
  void spawn(std::size_t i, Make make) {
    const auto t = i % io_.size();
    boost::asio::co_spawn(io_.at(t), make(io_.at(t), tls_[t], tallies_[t]), boost::asio::detached);
  }
  IoThreads& io() noexcept { return io_; }
  // Runs every thread until its work is done (or io().stop()).
  void run() { io_.run(); }
  RunTally merged() const {
    RunTally total;
    for (const auto& tally : tallies_) total.merge(tally);
    return total;
  }

 private:
  IoThreads io_;
  std::vector<boost::asio::ssl::context> tls_;
  std::vector<RunTally> tallies_;
};

}  // namespace fleet_sim
