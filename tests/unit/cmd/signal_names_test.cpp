#include "cmd/signal_names.hpp"

#include <gtest/gtest.h>

#include <csignal>

#include "common/error.hpp"

namespace chrunc::cmd {
namespace {

TEST(SignalNames, NamesWithAndWithoutPrefixAnyCase) {
  EXPECT_EQ(parse_signal("TERM"), SIGTERM);
  EXPECT_EQ(parse_signal("SIGTERM"), SIGTERM);
  EXPECT_EQ(parse_signal("term"), SIGTERM);
  EXPECT_EQ(parse_signal("sigterm"), SIGTERM);
  EXPECT_EQ(parse_signal("SIGSTOP"), SIGSTOP);
  EXPECT_EQ(parse_signal("cont"), SIGCONT);
  EXPECT_EQ(parse_signal("USR2"), SIGUSR2);
  EXPECT_EQ(parse_signal("CLD"), SIGCHLD);
  EXPECT_EQ(parse_signal("IOT"), SIGABRT);
}

TEST(SignalNames, Numbers) {
  EXPECT_EQ(parse_signal("1"), 1);
  EXPECT_EQ(parse_signal("64"), 64);
  EXPECT_EQ(parse_signal("034"), 34);
}

TEST(SignalNames, Unknown) {
  for (const char* bad : {"FOO", "SIG", "", "65", "1000", "-9", "9x", "SIGRTMIN+1"}) {
    try {
      parse_signal(bad);
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), std::string("unknown signal \"") + bad + "\"");
    }
  }
}

}  // namespace
}  // namespace chrunc::cmd
