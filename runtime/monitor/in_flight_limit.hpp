#pragma once
// A cap on concurrent work (the DNS relay's queries in flight on the host, the
// monitor's control requests): try_acquire() refuses beyond `capacity`;
// wait_idle() returns once every acquired slot has been released, or after
// `timeout`. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace chrunc::runtime {

class InFlightLimit {
 public:
  explicit InFlightLimit(std::size_t capacity) : capacity_(capacity) {}

  bool try_acquire() {
    std::lock_guard lock(mutex_);
    if (count_ >= capacity_) return false;
    ++count_;
    return true;
  }

  void release() {
    {
      std::lock_guard lock(mutex_);
      if (count_ > 0) --count_;
    }
    idle_.notify_all();
  }

  // Whether all slots were released in time.
  bool wait_idle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return idle_.wait_for(lock, timeout, [this] { return count_ == 0; });
  }

  std::size_t count() {
    std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable idle_;
  std::size_t capacity_;
  std::size_t count_ = 0;
};

}  // namespace chrunc::runtime
