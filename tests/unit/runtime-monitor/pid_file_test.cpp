#include "runtime/cli/pid_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace chrunc::runtime {
namespace {

TEST(PidFile, DecimalNoNewlineAtomic) {
  char tmpl[] = "/tmp/chrunc-pid-XXXXXX";
  std::filesystem::path dir = ::mkdtemp(tmpl);
  std::filesystem::path file = dir / "pid";
  write_pid_file(file, 12345);
  write_pid_file(file, 678);
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "678");
  // No temporary left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1);
  std::filesystem::remove_all(dir);
}

TEST(PidFile, MissingDirectoryIsAnError) {
  EXPECT_ANY_THROW(write_pid_file("/nonexistent-dir/pid", 1));
}

// A name planted where the temporary used to go (a symlink to a file the
// writer must not touch) changes nothing: the temporary is created
// exclusively under a fresh name, never through a symlink.
TEST(PidFile, PlantedTemporaryIsNotFollowed) {
  char tmpl[] = "/tmp/chrunc-pid-XXXXXX";
  std::filesystem::path dir = ::mkdtemp(tmpl);
  std::filesystem::path victim = dir / "victim";
  { std::ofstream(victim) << "precious"; }
  std::filesystem::create_symlink(victim, dir / ".pid.tmp");
  write_pid_file(dir / "pid", 4242);
  std::ifstream in(victim);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "precious");
  struct stat st {};
  ASSERT_EQ(::lstat((dir / "pid").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chrunc::runtime
