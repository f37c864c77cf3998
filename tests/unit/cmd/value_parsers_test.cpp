#include "cmd/value_parsers.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"

namespace chrunc::cmd {
namespace {
using namespace std::chrono_literals;

TEST(MemoryBytes, UnitsLikeRunc) {
  EXPECT_EQ(parse_memory_bytes("1024", "--memory"), 1024);
  EXPECT_EQ(parse_memory_bytes("-1", "--memory"), -1);
  EXPECT_EQ(parse_memory_bytes("10k", "--memory"), 10240);
  EXPECT_EQ(parse_memory_bytes("10K", "--memory"), 10240);
  EXPECT_EQ(parse_memory_bytes("512m", "--memory"), 512LL << 20);
  EXPECT_EQ(parse_memory_bytes("512MB", "--memory"), 512LL << 20);
  EXPECT_EQ(parse_memory_bytes("2g", "--memory"), 2LL << 30);
  EXPECT_EQ(parse_memory_bytes("1GiB", "--memory"), 1LL << 30);
  EXPECT_EQ(parse_memory_bytes("1.5g", "--memory"), 3LL << 29);
  EXPECT_EQ(parse_memory_bytes("1t", "--memory"), 1LL << 40);
  EXPECT_EQ(parse_memory_bytes("100b", "--memory"), 100);
  EXPECT_EQ(parse_memory_bytes("64 k", "--memory"), 65536);
}

TEST(MemoryBytes, Rejects) {
  for (const char* bad : {"", "m", "-2", "1x", "1.2.3m", "1..2", ".5m", "5.m", "1kk", "1ib"}) {
    EXPECT_THROW(parse_memory_bytes(bad, "--memory"), Error) << bad;
  }
  try {
    parse_memory_bytes("abc", "--memory-swap");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "invalid value \"abc\" for --memory-swap: expected a size such as 512m or 1g");
  }
}

TEST(Integers, SignedAndUnsigned) {
  EXPECT_EQ(parse_uint64("18446744073709551615", "--x"), UINT64_MAX);
  EXPECT_THROW(parse_uint64("18446744073709551616", "--x"), Error);
  EXPECT_THROW(parse_uint64("-1", "--x"), Error);
  EXPECT_THROW(parse_uint64("", "--x"), Error);
  EXPECT_EQ(parse_int64("-1", "--x"), -1);
  EXPECT_EQ(parse_int64("42", "--x"), 42);
  EXPECT_THROW(parse_int64("4 2", "--x"), Error);
  EXPECT_THROW(parse_int64("-", "--x"), Error);
}

TEST(GoDuration, Forms) {
  EXPECT_EQ(parse_go_duration("5s", "--interval"), 5s);
  EXPECT_EQ(parse_go_duration("250ms", "--interval"), 250ms);
  EXPECT_EQ(parse_go_duration("1m30s", "--interval"), 90s);
  EXPECT_EQ(parse_go_duration("1.5h", "--interval"), 90min);
  EXPECT_EQ(parse_go_duration("10us", "--interval"), 10us);
  EXPECT_EQ(parse_go_duration("7ns", "--interval"), 7ns);
  EXPECT_EQ(parse_go_duration("0", "--interval"), 0ns);
  EXPECT_EQ(parse_go_duration("-2s", "--interval"), -2s);
  for (const char* bad : {"", "5", "s", "5x", "1.2.3s", "5 s"}) {
    EXPECT_THROW(parse_go_duration(bad, "--interval"), Error) << bad;
  }
}

}  // namespace
}  // namespace chrunc::cmd
