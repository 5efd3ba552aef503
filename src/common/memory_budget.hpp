// MemoryBudget: a process-wide cap on bytes held for one purpose (manifest bodies being
// received, parsed, cached or sent), so that no mix of requests, concurrent ones included,
// can grow the process past it. Holders take a Reservation, grow it as they allocate and
// give it back by destroying it; a reservation that does not fit fails at once (callers
// answer 429) rather than waiting.
// Thread-safety: all calls are safe from any thread (one atomic counter).
#pragma once

#include <atomic>
#include <cstddef>
#include <utility>

namespace common {

class MemoryBudget {
 public:
  explicit MemoryBudget(std::size_t limit) : limit_(limit) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Bytes counted against the budget; returned to it when destroyed.
  class Reservation {
   public:
    Reservation() = default;
    explicit Reservation(MemoryBudget& budget) : budget_(&budget) {}
    Reservation(Reservation&& other) noexcept
        : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
    Reservation& operator=(Reservation&& other) noexcept {
      if (this != &other) {
        release();
        budget_ = std::exchange(other.budget_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
      }
      return *this;
    }
    ~Reservation() { release(); }

    // Grows the reservation to at least `bytes`; false (unchanged) when the budget is short.
    [[nodiscard]] bool grow_to(std::size_t bytes) {
      if (bytes <= bytes_) return true;
      if (budget_ == nullptr || !budget_->take(bytes - bytes_)) return false;
      bytes_ = bytes;
      return true;
    }
    std::size_t bytes() const noexcept { return bytes_; }

   private:
    void release() {
      if (budget_ != nullptr && bytes_ > 0) budget_->give(bytes_);
      bytes_ = 0;
    }
    MemoryBudget* budget_ = nullptr;
    std::size_t bytes_ = 0;
  };

  Reservation reserve() { return Reservation(*this); }
  std::size_t limit() const noexcept { return limit_; }
  std::size_t used() const noexcept { return used_.load(std::memory_order_relaxed); }

 private:
  bool take(std::size_t bytes) {
    auto current = used_.load(std::memory_order_relaxed);
    do {
      if (bytes > limit_ || current > limit_ - bytes) return false;
    } while (!used_.compare_exchange_weak(current, current + bytes, std::memory_order_relaxed));
    return true;
  }
  void give(std::size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
};

}  // namespace common
