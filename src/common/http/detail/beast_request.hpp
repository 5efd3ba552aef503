// How a parsed Beast request header becomes the Request a handler sees (method, target split
// into path and query, header views). Shared by server.cpp and the HTTP request fuzz target,
// so the fuzzer exercises exactly what the server builds. Beast stays inside detail/.
#pragma once

#include <boost/beast/http.hpp>

#include <string_view>
#include <utility>
#include <vector>

#include "common/http/request.hpp"

namespace common::http::detail {

inline std::string_view to_view(boost::beast::string_view s) {
  return {s.data(), s.size()};
}

inline Method to_method(boost::beast::http::verb method) {
  using boost::beast::http::verb;
  switch (method) {
    case verb::get:
      return Method::kGet;
    case verb::head:
      return Method::kHead;
    case verb::post:
      return Method::kPost;
    case verb::put:
      return Method::kPut;
    case verb::patch:
      return Method::kPatch;
    case verb::delete_:
      return Method::kDelete;
    case verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

// Fills the request line and headers of `request` from `message`, which must outlive it;
// `headers` lends its capacity (the previous request's on the connection).
inline void fill_request(const boost::beast::http::request_header<>& message,
                         std::vector<Header> headers, Request& request) {
  request.method = to_method(message.method());
  request.target = to_view(message.target());
  const auto question = request.target.find('?');
  request.path = request.target.substr(0, question);
  request.query =
      question == std::string_view::npos ? std::string_view{} : request.target.substr(question + 1);
  headers.clear();
  for (const auto& field : message)
    headers.push_back({to_view(field.name_string()), to_view(field.value())});
  request.headers = std::move(headers);
}

}  // namespace common::http::detail
