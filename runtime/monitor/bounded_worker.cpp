#include "runtime/monitor/bounded_worker.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>

namespace chrunc::runtime {

// Shared with the thread, which may outlive the worker (a detached thread
// still in a job after stop()).
struct BoundedWorker::Shared {
  std::size_t capacity;
  mutable std::mutex mutex;
  std::condition_variable wake;   // a job or stop
  std::condition_variable ended;  // the thread is done
  std::deque<std::function<void()>> jobs;
  bool stopping = false;
  bool done = false;
};

BoundedWorker::BoundedWorker(std::size_t capacity) : shared_(std::make_shared<Shared>()) {
  shared_->capacity = capacity;
  thread_ = std::thread([shared = shared_] {
    std::unique_lock lock(shared->mutex);
    for (;;) {
      shared->wake.wait(lock, [&] { return shared->stopping || !shared->jobs.empty(); });
      if (shared->stopping) break;
      std::function<void()> job = std::move(shared->jobs.front());
      shared->jobs.pop_front();
      lock.unlock();
      try {
        job();
      } catch (...) {
      }
      job = nullptr;  // its captures go before the lock is taken again
      lock.lock();
    }
    shared->done = true;
    shared->ended.notify_all();
  });
}

BoundedWorker::~BoundedWorker() {
  stop(std::chrono::milliseconds(0));
}

bool BoundedWorker::post(std::function<void()> job) {
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->stopping || shared_->jobs.size() >= shared_->capacity) return false;
    shared_->jobs.push_back(std::move(job));
  }
  shared_->wake.notify_one();
  return true;
}

std::size_t BoundedWorker::pending() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->jobs.size();
}

bool BoundedWorker::stop(std::chrono::milliseconds timeout) {
  bool ended;
  {
    std::unique_lock lock(shared_->mutex);
    shared_->stopping = true;
    shared_->jobs.clear();
    shared_->wake.notify_all();
    ended = shared_->ended.wait_for(lock, timeout, [&] { return shared_->done; });
  }
  if (!thread_.joinable()) return ended;
  if (ended) {
    thread_.join();
  } else {
    thread_.detach();
  }
  return ended;
}

}  // namespace chrunc::runtime
