#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "common/error.hpp"
#include "runtime/cli/lifecycle_common.hpp"

namespace chrunc::runtime {
namespace {

// Sets LISTEN_FDS/LISTEN_PID for one test (unset when null), restores none.
struct ListenEnv {
  ListenEnv(const char* fds, const char* pid) {
    fds ? ::setenv("LISTEN_FDS", fds, 1) : ::unsetenv("LISTEN_FDS");
    pid ? ::setenv("LISTEN_PID", pid, 1) : ::unsetenv("LISTEN_PID");
  }
  ~ListenEnv() { ::unsetenv("LISTEN_FDS"), ::unsetenv("LISTEN_PID"); }
};

std::string refusal(unsigned preserve, bool activation) {
  try {
    refuse_passed_fds(preserve, activation);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(PassedFds, PreserveFdsZeroIsAcceptedOtherwiseRefusedNamingIt) {
  ListenEnv env(nullptr, nullptr);
  EXPECT_EQ(refusal(0, true), "");
  EXPECT_EQ(refusal(0, false), "");
  EXPECT_NE(refusal(2, true).find("--preserve-fds 2: host file descriptors cannot be passed"),
            std::string::npos);
  EXPECT_NE(refusal(1, false).find("--preserve-fds 1"), std::string::npos);
}

TEST(PassedFds, ListenFdsOnlyWhenMeantForThisProcessAndOnlyForCreate) {
  const std::string self = std::to_string(::getpid());
  {
    ListenEnv env("2", self.c_str());
    EXPECT_NE(refusal(0, true).find("LISTEN_FDS=2 (socket activation)"), std::string::npos);
    EXPECT_EQ(refusal(0, false), "");  // exec: runc ignores LISTEN_FDS
  }
  {
    ListenEnv env("2", "1");  // another process's (a service's children inherit it)
    EXPECT_EQ(refusal(0, true), "");
  }
  {
    ListenEnv env("2", nullptr);
    EXPECT_EQ(refusal(0, true), "");
  }
  {
    ListenEnv env("0", self.c_str());
    EXPECT_EQ(refusal(0, true), "");
  }
}

}  // namespace
}  // namespace chrunc::runtime
