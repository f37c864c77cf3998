#pragma once
// The DNS relay's bookkeeping of queries sent on and not yet answered: each
// gets an id (never 0), the table holds at most `capacity` of them, and one
// older than `timeout` is forgotten (its answer, if it ever comes, is then
// dropped). Not thread-safe: one owner thread.
//
//   PendingQueries<Sender> pending(128, 10s);
//   if (auto id = pending.add(sender, now)) forward(*id, query);  // nullopt: full
//   if (auto sender = pending.take(id)) reply(*sender, answer);   // nullopt: unknown/expired

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

namespace chrunc::agent {

template <typename Target>
class PendingQueries {
 public:
  using Clock = std::chrono::steady_clock;

  PendingQueries(std::size_t capacity, std::chrono::milliseconds timeout)
      : capacity_(capacity), timeout_(timeout) {}

  // A new id for a query answered to `target`, or nothing when `capacity`
  // queries are in flight already.
  std::optional<uint64_t> add(Target target, Clock::time_point now) {
    if (entries_.size() >= capacity_) return std::nullopt;
    uint64_t id = next_id_++;
    if (next_id_ == 0) next_id_ = 1;
    entries_.emplace(id, Entry{std::move(target), now + timeout_});
    return id;
  }

  // Removes and returns the target of `id`; nothing for an id never given,
  // already taken or expired.
  std::optional<Target> take(uint64_t id) {
    auto it = entries_.find(id);
    if (it == entries_.end()) return std::nullopt;
    Target target = std::move(it->second.target);
    entries_.erase(it);
    return target;
  }

  // Forgets every query older than the timeout at `now`; returns how many.
  std::size_t expire(Clock::time_point now) {
    std::size_t dropped = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.deadline <= now) {
        it = entries_.erase(it);
        ++dropped;
      } else {
        ++it;
      }
    }
    return dropped;
  }

  // The earliest deadline, for the owner's poll timeout.
  std::optional<Clock::time_point> next_deadline() const {
    std::optional<Clock::time_point> earliest;
    for (const auto& [id, entry] : entries_)
      if (!earliest || entry.deadline < *earliest) earliest = entry.deadline;
    return earliest;
  }

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Target target;
    Clock::time_point deadline;
  };
  std::size_t capacity_;
  std::chrono::milliseconds timeout_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Entry> entries_;
};

}  // namespace chrunc::agent
