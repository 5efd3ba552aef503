// Message and Headers: one core NATS message as plain data, copied out of libnats before a
// handler sees it, so it may be kept, moved and read on any thread after the handler returns.
// Headers are NATS headers (HTTP-like, a name may repeat); `reply` is empty unless the
// sender expects an answer (a request).
#pragma once

#include <functional>
#include <map>
#include <string>

namespace common::nats {

// Header name → value; a name may occur more than once (equal_range finds all).
using Headers = std::multimap<std::string, std::string, std::less<>>;

struct Message {
  std::string subject;
  std::string reply;  // where an answer goes; empty for a plain publish
  std::string data;   // the payload bytes
  Headers headers;
};

}  // namespace common::nats
