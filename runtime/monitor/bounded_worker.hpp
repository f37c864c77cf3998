#pragma once
// One thread that runs posted jobs in order, with a bounded queue: the
// monitor's serve loop hands it the agent calls it used to make itself
// (forwarded signals, window sizes), so that a guest that stops answering
// delays those calls (each has its deadline) but never the loop, which keeps
// serving `state`, `delete` and the signals it receives.
//
//   BoundedWorker worker(16);
//   if (!worker.post([&] { agent.signal_process(id, "", SIGTERM); })) ...  // full: dropped
//   worker.stop(11s);  // drops what is pending, waits for the job under way
//
// Jobs must not throw (an exception is caught and ignored). Thread-safe.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <thread>

namespace chrunc::runtime {

class BoundedWorker {
 public:
  explicit BoundedWorker(std::size_t capacity);
  // stop() with no wait: a job under way is left to finish on its own.
  ~BoundedWorker();
  BoundedWorker(const BoundedWorker&) = delete;
  BoundedWorker& operator=(const BoundedWorker&) = delete;

  // Queues the job; false (job dropped) when `capacity` jobs already wait or
  // the worker is stopped.
  bool post(std::function<void()> job);
  // Jobs queued and not started.
  std::size_t pending() const;
  // No more jobs: drops the queued ones and waits at most `timeout` for the
  // one under way. True when the thread ended within it (and was joined);
  // else it is detached and ends after that job.
  bool stop(std::chrono::milliseconds timeout);

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
  std::thread thread_;
};

}  // namespace chrunc::runtime
