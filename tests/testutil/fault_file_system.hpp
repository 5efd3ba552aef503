// FaultFileSystem: the real file system with a journal and a fault switch (LevelDB's
// FaultInjectionTestEnv). It records every mutating call as "op path" in order, so tests
// observe what was made durable and when; and it fails the calls a test arms (by operation
// and path substring) with a chosen errno, optionally after writing part of the data (a
// torn write), or slows them down to widen a race window. Only sync honours a delay-only
// fault (err 0); that is all the tests need.
// Thread-safety: safe from any thread.
#pragma once

#include <cerrno>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/fs/file_system.hpp"
#include "common/fs/posix_error.hpp"

namespace testutil {

class FaultFileSystem final : public common::fs::FileSystem {
 public:
  struct Fault {
    std::string op;        // "write", "sync", "rename", "unlink", "mkdir", "truncate", ...
    std::string path_has;  // the call's path must contain this
    int err = EIO;
    std::size_t torn_bytes = 0;  // write only: bytes written before the failure
    int times = 1;               // how many matching calls fail (-1: all)
    // With err 0: the call is not failed but slowed by this much (widens a race window).
    std::chrono::microseconds delay{0};
  };

  void arm(Fault fault) {
    std::lock_guard lock(mutex_);
    faults_.push_back(std::move(fault));
  }
  std::vector<std::string> journal() const {
    std::lock_guard lock(mutex_);
    return journal_;
  }
  void clear_journal() {
    std::lock_guard lock(mutex_);
    journal_.clear();
  }

  common::Result<common::fs::UniqueFd> open(const std::string& path, int flags, int mode) override {
    if (auto fault = take("open", path)) return common::fail(fault_error("open", path, *fault));
    return real().open(path, flags, mode);
  }
  common::Status write(int fd, std::span<const char> data, std::string_view path) override {
    if (auto fault = take("write", std::string(path))) {
      const auto torn = std::min(fault->torn_bytes, data.size());
      if (torn > 0) (void)real().write(fd, data.first(torn), path);
      return common::fail(fault_error("write", std::string(path), *fault));
    }
    return real().write(fd, data, path);
  }
  common::Status sync(int fd, std::string_view path) override {
    record("sync", std::string(path));
    if (auto fault = take("sync", std::string(path)); fault && fault->err != 0)
      return common::fail(fault_error("fsync", std::string(path), *fault));
    return real().sync(fd, path);
  }
  common::Status truncate(int fd, std::uint64_t size, std::string_view path) override {
    if (auto fault = take("truncate", std::string(path)))
      return common::fail(fault_error("ftruncate", std::string(path), *fault));
    return real().truncate(fd, size, path);
  }
  common::Status rename(const std::string& from, const std::string& to) override {
    record("rename", from + " -> " + to);
    if (auto fault = take("rename", to)) return common::fail(fault_error("rename", to, *fault));
    return real().rename(from, to);
  }
  common::Status unlink(const std::string& path) override {
    record("unlink", path);
    if (auto fault = take("unlink", path)) return common::fail(fault_error("unlink", path, *fault));
    return real().unlink(path);
  }
  common::Status make_dir(const std::string& path) override {
    record("mkdir", path);
    if (auto fault = take("mkdir", path)) return common::fail(fault_error("mkdir", path, *fault));
    return real().make_dir(path);
  }
  common::Result<common::fs::FileInfo> stat(const std::string& path) override {
    return real().stat(path);
  }
  common::Status set_modified(const std::string& path, std::int64_t unix_seconds) override {
    return real().set_modified(path, unix_seconds);
  }
  common::Result<std::vector<std::string>> list_dir(const std::string& path) override {
    if (auto fault = take("list", path)) return common::fail(fault_error("readdir", path, *fault));
    return real().list_dir(path);
  }
  common::Status remove_tree(const std::string& path) override {
    record("remove_tree", path);
    return real().remove_tree(path);
  }

 private:
  static common::fs::FileSystem& real() { return common::fs::posix_file_system(); }
  static common::Error fault_error(std::string_view op, const std::string& path,
                                   const Fault& fault) {
    return common::fs::posix_error(op, path, fault.err);
  }
  void record(std::string_view op, const std::string& what) {
    std::lock_guard lock(mutex_);
    journal_.push_back(std::string(op) + " " + what);
  }
  std::optional<Fault> take(std::string_view op, const std::string& path) {
    std::unique_lock lock(mutex_);
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
      if (it->op != op || path.find(it->path_has) == std::string::npos) continue;
      Fault fault = *it;
      if (it->times > 0 && --it->times == 0) faults_.erase(it);
      if (fault.delay.count() > 0) {
        lock.unlock();  // sleep without holding up other calls
        std::this_thread::sleep_for(fault.delay);
      }
      return fault;
    }
    return std::nullopt;
  }

  mutable std::mutex mutex_;  // guards both lists
  std::vector<Fault> faults_;
  std::vector<std::string> journal_;
};

}  // namespace testutil
