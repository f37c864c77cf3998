#include "common/log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "common/error.hpp"

namespace chrunc {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("chrunc-log-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    configure_logging("", "text", false);
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

TEST(LogFormat, JsonLineAsContainerdReadsIt) {
  EXPECT_EQ(format_log_line(LogLevel::kError, "container \"x\" does not exist", "json",
                            "2026-11-23T10:00:00Z"),
            "{\"level\":\"error\",\"msg\":\"container \\\"x\\\" does not exist\","
            "\"time\":\"2026-11-23T10:00:00Z\"}\n");
}

TEST(LogFormat, TextLineLikeLogrus) {
  EXPECT_EQ(format_log_line(LogLevel::kWarn, "a \"b\"", "text", "2026-11-23T10:00:00Z"),
            "time=\"2026-11-23T10:00:00Z\" level=warning msg=\"a \\\"b\\\"\"\n");
  EXPECT_EQ(format_log_line(LogLevel::kDebug, "d", "text", "T"),
            "time=\"T\" level=debug msg=\"d\"\n");
  EXPECT_EQ(format_log_line(LogLevel::kInfo, "i", "text", "T"),
            "time=\"T\" level=info msg=\"i\"\n");
}

TEST(LogFormat, ControlCharactersEscapedToKeepOneLine) {
  std::string line = format_log_line(LogLevel::kError, "a\nb\tc\x01\\", "json", "T");
  EXPECT_EQ(line, "{\"level\":\"error\",\"msg\":\"a\\nb\\tc\\u0001\\\\\",\"time\":\"T\"}\n");
}

TEST_F(LogTest, AppendsJsonToFile) {
  auto path = dir_ / "log.json";
  std::ofstream(path) << "{\"level\":\"info\",\"msg\":\"earlier\",\"time\":\"x\"}\n";
  configure_logging(path, "json", false);
  EXPECT_TRUE(logging_to_file());
  log_debug("hidden without --debug");
  log_error("boom");
  std::string text = read_file(path);
  EXPECT_EQ(text.find("hidden"), std::string::npos);
  std::regex line(
      R"(\{"level":"info","msg":"earlier","time":"x"\}\n\{"level":"error","msg":"boom","time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}\n)");
  EXPECT_TRUE(std::regex_match(text, line)) << text;
}

TEST_F(LogTest, DebugOnlyWithDebug) {
  auto path = dir_ / "log.txt";
  configure_logging(path, "text", true);
  log_debug("shown");
  EXPECT_NE(read_file(path).find("level=debug msg=\"shown\""), std::string::npos);
}

TEST_F(LogTest, FileIsCloseOnExec) {
  auto path = dir_ / "cloexec.log";
  configure_logging(path, "json", false);
  bool found = false;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    if (std::filesystem::read_symlink(entry.path(), ec) == path) {
      int fd = std::stoi(entry.path().filename());
      std::ifstream fdinfo("/proc/self/fdinfo/" + std::to_string(fd));
      std::string key;
      std::string flags;
      while (fdinfo >> key >> flags) {
        if (key == "flags:") break;
      }
      long value = std::stol(flags, nullptr, 8);
      EXPECT_TRUE(value & 02000000) << "O_CLOEXEC";
      EXPECT_TRUE(value & 02000) << "O_APPEND";
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(LogTest, ConcurrentLinesStayWhole) {
  auto path = dir_ / "threads.json";
  configure_logging(path, "json", false);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i)
        log_info("thread " + std::to_string(t) + " line " + std::to_string(i));
    });
  }
  for (auto& th : threads) th.join();
  std::ifstream in(path);
  std::string line;
  int count = 0;
  std::regex whole(R"(\{"level":"info","msg":"thread \d line \d+","time":"[^"]+"\})");
  while (std::getline(in, line)) {
    EXPECT_TRUE(std::regex_match(line, whole)) << line;
    ++count;
  }
  EXPECT_EQ(count, 800);
}

TEST_F(LogTest, BadConfigurationThrowsAndKeepsPrevious) {
  EXPECT_THROW(configure_logging("", "xml", false), Error);
  EXPECT_THROW(configure_logging((dir_ / "missing/dir/log").string(), "json", false), Error);
  EXPECT_FALSE(logging_to_file());
}

}  // namespace
}  // namespace chrunc
