// IoThreads: the simulator's event loops, one io_context per thread (as the server runs),
// each carrying many connections; work is spread over them round robin by index. run()
// blocks until every context has run out of work, or stop() was called.
// Thread-safety: at() and post from any thread; run() from one.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <thread>
#include <vector>

namespace fleet_sim {

class IoThreads {
 public:
  explicit IoThreads(unsigned threads) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i)
      contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
  }
  std::size_t size() const noexcept { return contexts_.size(); }
  boost::asio::io_context& at(std::size_t index) { return *contexts_[index % contexts_.size()]; }

  void run() {
    std::vector<std::jthread> threads;
    for (auto& context : contexts_) threads.emplace_back([&context] { context->run(); });
  }
  void stop() {
    for (auto& context : contexts_) context->stop();
  }

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
};

}  // namespace fleet_sim
