#pragma once
// A token bucket: at most `burst` events at once, then `per_second` on
// average. What the guest can make the host do again and again (start a
// stand-in process) goes through one. The clock is passed in, so that the
// arithmetic is testable; not thread-safe (its owner's lock covers it).

#include <algorithm>
#include <chrono>

namespace chrunc::runtime {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double burst, double per_second, Clock::time_point now = Clock::now())
      : burst_(burst), per_second_(per_second), tokens_(burst), last_(now) {}

  // Takes one token when there is one.
  bool take(Clock::time_point now = Clock::now()) {
    refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

  // How long until take() can succeed (zero when it can now).
  Clock::duration wait(Clock::time_point now = Clock::now()) {
    refill(now);
    if (tokens_ >= 1.0 || per_second_ <= 0) return Clock::duration::zero();
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>((1.0 - tokens_) / per_second_));
  }

 private:
  void refill(Clock::time_point now) {
    if (now <= last_) return;
    const double seconds = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + seconds * per_second_);
    last_ = now;
  }

  double burst_, per_second_, tokens_;
  Clock::time_point last_;
};

}  // namespace chrunc::runtime
