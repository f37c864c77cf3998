#include "runtime/relays/token_bucket.hpp"

#include <gtest/gtest.h>

namespace chrunc::runtime {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucket, ABurstThenTheRate) {
  const auto t0 = TokenBucket::Clock::time_point{} + 1h;
  TokenBucket bucket(5, 10, t0);
  int taken = 0;
  for (int i = 0; i < 100; ++i) taken += bucket.take(t0) ? 1 : 0;
  EXPECT_EQ(taken, 5);
  EXPECT_NEAR(std::chrono::duration<double>(bucket.wait(t0)).count(), 0.1, 1e-6);
  EXPECT_FALSE(bucket.take(t0 + 50ms));
  EXPECT_TRUE(bucket.take(t0 + 100ms));
  EXPECT_FALSE(bucket.take(t0 + 100ms));
  // A second: ten more, however many are asked for.
  taken = 0;
  for (int i = 0; i < 100; ++i) taken += bucket.take(t0 + 1100ms) ? 1 : 0;
  EXPECT_EQ(taken, 5);  // the bucket holds at most the burst
  taken = 0;
  for (int ms = 1100; ms <= 3100; ms += 10)
    taken += bucket.take(t0 + std::chrono::milliseconds(ms));
  EXPECT_GE(taken, 19);  // 10 a second (19 when the last tenth falls just short)
  EXPECT_LE(taken, 20);
}

TEST(TokenBucket, TimeGoingBackGivesNothing) {
  const auto t0 = TokenBucket::Clock::time_point{} + 1h;
  TokenBucket bucket(1, 1, t0);
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_FALSE(bucket.take(t0 - 10s));
  EXPECT_FALSE(bucket.take(t0 + 500ms));
  EXPECT_TRUE(bucket.take(t0 + 1s));
}

}  // namespace
}  // namespace chrunc::runtime
