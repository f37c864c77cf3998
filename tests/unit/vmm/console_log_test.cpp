// ConsoleLog: a VMM writing the guest's console into the FIFO, as much as it
// likes, leaves a log file under the cap that ends with the last bytes.
#include "vmm/console_log.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_dir.hpp"
#include "vmm/console_tail.hpp"

namespace chrunc::vmm::test {
namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes `total` bytes of numbered lines to `fifo` as a VMM would (its own
// blocking open), returning the last line written.
std::string write_lines(const std::filesystem::path& fifo, size_t total) {
  int fd = ::open(fifo.c_str(), O_WRONLY | O_APPEND);  // O_CREAT as QEMU: a FIFO is kept
  EXPECT_GE(fd, 0);
  std::string last, chunk;
  size_t written = 0;
  for (size_t i = 0; written < total; ++i) {
    last = "line " + std::to_string(i) + " \x1b[31mred\x1b[0m";
    chunk += last + "\n";
    if (chunk.size() > 8192) {
      EXPECT_EQ(::write(fd, chunk.data(), chunk.size()), static_cast<ssize_t>(chunk.size()));
      written += chunk.size();
      chunk.clear();
    }
  }
  if (!chunk.empty()) EXPECT_EQ(::write(fd, chunk.data(), chunk.size()), (ssize_t)chunk.size());
  ::close(fd);
  return last;
}

TEST(ConsoleLog, StaysUnderItsCapAndKeepsTheLastBytes) {
  TestDir dir;
  const auto log = dir.path() / "console.log";
  ConsoleLog console(dir.path() / "console.pipe", log, 64 * 1024);
  struct stat st {};
  ASSERT_EQ(::stat(console.fifo().c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string last = write_lines(console.fifo(), 8 << 20);  // 8 MiB
  console.close();
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "console.pipe"));
  const std::string text = slurp(log);
  EXPECT_LE(text.size(), 64u * 1024);
  EXPECT_GT(text.size(), 16u * 1024);
  EXPECT_EQ(text.rfind(ConsoleLog::kDroppedLine, 0), 0u) << text.substr(0, 80);
  // From a line start after the marker, to the very last line.
  EXPECT_EQ(text.substr(std::strlen(ConsoleLog::kDroppedLine), 5), "line ");
  EXPECT_EQ(text.substr(text.size() - last.size() - 1), last + "\n");
  EXPECT_EQ(::stat(log.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // What a failed boot reports: the last line, escaped.
  EXPECT_EQ(console_tail(log), escape_guest_text(last, 200));
  EXPECT_FALSE(std::filesystem::exists(log.string() + ".tmp"));
}

TEST(ConsoleLog, SmallOutputIsKeptWholeAndReadableWhileRunning) {
  TestDir dir;
  const auto log = dir.path() / "console.log";
  ConsoleLog console(dir.path() / "console.pipe", log);
  int fd = ::open(console.fifo().c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "booting\nagent up\n", 17), 17);
  // Read while the VMM still writes: the boot deadline's console_tail does.
  std::string seen;
  for (int i = 0; i < 200 && seen.empty(); ++i) {
    seen = console_tail(log);
    if (seen.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(seen, "agent up");
  ::close(fd);
  console.close();
  EXPECT_EQ(slurp(log), "booting\nagent up\n");
}

TEST(ConsoleLog, AnExistingLogOverTheCapIsCutAtTheFirstWrite) {
  TestDir dir;
  const auto log = dir.path() / "console.log";
  std::ofstream(log) << std::string(100 * 1024, 'x') << "\nold tail\n";
  ConsoleLog console(dir.path() / "console.pipe", log, 16 * 1024);
  int fd = ::open(console.fifo().c_str(), O_WRONLY);
  ASSERT_EQ(::write(fd, "new\n", 4), 4);
  ::close(fd);
  console.close();
  const std::string text = slurp(log);
  EXPECT_LE(text.size(), 16u * 1024);
  EXPECT_EQ(text.substr(text.size() - 13), "old tail\nnew\n");
}

}  // namespace
}  // namespace chrunc::vmm::test
