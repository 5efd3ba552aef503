// FUZZ_CHECK: the property assertion of the fuzz targets. Unlike assert() it stays on in
// every build type, so a broken property is a crash for libFuzzer and for the corpus replay
// alike; it names the property and the line before aborting.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                 \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)
