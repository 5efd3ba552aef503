// The handler of BOOST_ASSERT in builds with assertions on (BOOST_ENABLE_ASSERT_DEBUG_HANDLER,
// set on the `common` target; release builds compile BOOST_ASSERT out as before). It aborts
// like assert() does, except for Beast 1.81's one known false assertion: basic_parser's
// `n >= 5` in parse_chunk_header, which a client sending the final chunk "0\r\n\r\n" a few
// bytes at a time reaches although the code after it is right (it asks for more input;
// boostorg/beast PR 2861, fixed in Boost 1.86). Found by tests/fuzz/http_request_fuzz; the
// input stays in its corpus. Without this a debug or sanitizer build of a server could be
// stopped by any client.
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace boost {

void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file,
                          long line) {
  const bool beast_chunk_header_false_positive =
      std::strcmp(expr, "n >= 5") == 0 && std::strstr(function, "parse_chunk_header") != nullptr;
  if (beast_chunk_header_false_positive) return;
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed%s%s.\n", file, line, function, expr,
               msg ? ": " : "", msg ? msg : "");
  std::abort();
}

void assertion_failed(char const* expr, char const* function, char const* file, long line) {
  assertion_failed_msg(expr, nullptr, function, file, line);
}

}  // namespace boost
