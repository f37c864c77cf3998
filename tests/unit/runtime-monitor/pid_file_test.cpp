#include "runtime/pid_file.hpp"

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

}  // namespace
}  // namespace chrunc::runtime
