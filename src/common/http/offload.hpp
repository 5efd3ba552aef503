// offload(): runs a blocking function on a bounded thread pool and resumes the calling
// coroutine on its own executor with the result, so disk-bound work (fsync, rename, SQLite
// writes, hashing) never stalls an I/O thread. The pool's size bounds how much blocking work
// runs at once; further calls queue (backpressure).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>
#include <type_traits>
#include <utility>

namespace common::http {

namespace detail {

// A named coroutine (not a capturing lambda) so `function` outlives every suspension.
template <class F>
boost::asio::awaitable<std::optional<std::invoke_result_t<F&>>> invoke_on_pool(F& function) {
  co_return std::optional<std::invoke_result_t<F&>>(function());
}

}  // namespace detail

template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> offload(boost::asio::thread_pool& pool,
                                                         F function) {
  using R = std::invoke_result_t<F&>;
  // co_spawn needs a default-constructible result; optional<R> is one whatever R is.
  auto result = co_await boost::asio::co_spawn(
      pool,
      [&function]() -> boost::asio::awaitable<std::optional<R>> {
        co_return std::optional<R>(function());
      },
      boost::asio::use_awaitable);
  co_return std::move(*result);
}

}  // namespace common::http
