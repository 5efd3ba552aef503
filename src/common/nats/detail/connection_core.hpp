// What a Connection owns, shared with the other common_nats .cpp files (JetStream needs the
// natsConnection). Its address is the closure libnats passes to every connection callback,
// so it lives on the heap and outlives the last callback (see Connection's destructor).
#pragma once

#include <condition_variable>
#include <mutex>

#include "common/nats/connection_options.hpp"
#include "common/nats/detail/nats_handles.hpp"

namespace common::nats::detail {

struct ConnectionCore {
  ConnectionOptions options;  // the callbacks libnats calls through this core
  OptionsHandle nats_options;
  ConnectionHandle connection;

  std::mutex mutex;
  std::condition_variable closed_changed;
  bool closed = false;  // guarded by mutex: libnats delivered the closed callback
};

}  // namespace common::nats::detail
