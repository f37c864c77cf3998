// The monitor's worker for agent calls: in order, bounded, and stoppable
// while a job is stuck (a guest that does not answer).
#include "runtime/monitor/bounded_worker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

namespace chrunc::runtime {
namespace {

using namespace std::chrono_literals;

TEST(BoundedWorker, RunsJobsInOrder) {
  BoundedWorker worker(8);
  std::mutex mutex;
  std::vector<int> seen;
  std::promise<void> done;
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(worker.post([&, i] {
      std::lock_guard lock(mutex);
      seen.push_back(i);
    }));
  ASSERT_TRUE(worker.post([&] { done.set_value(); }));
  ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(worker.stop(5s));
}

TEST(BoundedWorker, RefusesBeyondCapacityWhileStuck) {
  BoundedWorker worker(2);
  std::promise<void> release, started;
  auto released = release.get_future().share();
  ASSERT_TRUE(worker.post([&, released] {
    started.set_value();
    released.wait();
  }));
  ASSERT_EQ(started.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(worker.post([] {}));
  EXPECT_TRUE(worker.post([] {}));
  EXPECT_FALSE(worker.post([] {}));  // two wait already
  EXPECT_EQ(worker.pending(), 2u);
  release.set_value();
  EXPECT_TRUE(worker.stop(5s));
}

TEST(BoundedWorker, StopDropsPendingAndReportsAStuckJob) {
  auto ran = std::make_shared<std::atomic<int>>(0);
  auto release = std::make_shared<std::promise<void>>();
  auto released = release->get_future().share();
  std::promise<void> started;
  {
    BoundedWorker worker(4);
    ASSERT_TRUE(worker.post([&started, released] {
      started.set_value();
      released.wait();
    }));
    ASSERT_EQ(started.get_future().wait_for(10s), std::future_status::ready);
    ASSERT_TRUE(worker.post([ran] { ++*ran; }));
    EXPECT_FALSE(worker.stop(200ms));  // still stuck: detached
    EXPECT_FALSE(worker.post([] {}));  // stopped
  }
  release->set_value();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(ran->load(), 0);  // the pending job was dropped
}

TEST(BoundedWorker, JobExceptionsDoNotEndTheWorker) {
  BoundedWorker worker(4);
  std::promise<void> done;
  ASSERT_TRUE(worker.post([] { throw std::runtime_error("no"); }));
  ASSERT_TRUE(worker.post([&] { done.set_value(); }));
  EXPECT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
}

}  // namespace
}  // namespace chrunc::runtime
