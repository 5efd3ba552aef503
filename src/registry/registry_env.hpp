// RegistryEnv: the operating-system services the registry reaches through seams (LevelDB's
// Env, Envoy's Api): the file system its stores write through and the clock that stamps and
// ages what they hold. Production code uses the defaults; tests pass fault-injecting file
// systems and fake clocks. Both must outlive the registry.
#pragma once

#include "common/clock.hpp"
#include "common/fs/file_system.hpp"

namespace registry {

// The process's real clock. Stateless.
inline const common::Clock& system_clock() {
  static const common::SystemClock clock;
  return clock;
}

struct RegistryEnv {
  common::fs::FileSystem* fs = &common::fs::posix_file_system();
  const common::Clock* clock = &system_clock();
};

// Whole seconds since the epoch on `clock`: the unit stored on disk and in the database.
inline std::int64_t unix_seconds(const common::Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
}

}  // namespace registry
