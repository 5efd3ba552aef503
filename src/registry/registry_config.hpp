// RegistryConfig: every knob of the registry library, with its default. Parsed and
// validated once at startup by the binary that embeds the registry.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace registry {

struct RegistryConfig {
  // Root of the on-disk layout (see storage/storage_paths.hpp). Required.
  std::string data_dir;
  // Largest manifest accepted by PUT; the spec asks for at least 4 MiB.
  std::size_t max_manifest_bytes = 8 * 1024 * 1024;
  // Refuse every write (push, delete, upload) with UNSUPPORTED.
  bool read_only = false;
  // Blobs younger than this are never collected, so a push in progress is safe.
  std::chrono::seconds gc_grace{3600};
  // Upload sessions idle this long are stale and collected.
  std::chrono::seconds upload_max_idle{24 * 3600};
  // Bytes of manifests kept in memory to answer GET/HEAD without SQLite (least recently
  // used evicted first).
  std::size_t manifest_cache_bytes = 16 * 1024 * 1024;
  // Every manifest byte in memory at once: cached, being received, parsed or sent. Requests
  // that would pass it get 429 and come back; nothing can grow the process beyond it.
  std::size_t manifest_memory_bytes = 32 * 1024 * 1024;
};

}  // namespace registry
