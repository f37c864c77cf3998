// run_command for the commands that need no VM engine: state, list, spec, features,
// and the clear refusals (checkpoint, restore).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "parse_test_util.hpp"
#include "store_fixture.hpp"

namespace chrunc::cmd {
namespace {
using testing::parse;

class RunCommand : public testing::TempRoot {
 protected:
  std::string run(std::vector<std::string> words) {
    words.insert(words.begin(), {"--root", root_.string()});
    ::testing::internal::CaptureStdout();
    try {
      EXPECT_EQ(run_command(parse(words)), 0);
    } catch (...) {
      ::testing::internal::GetCapturedStdout();
      throw;
    }
    return ::testing::internal::GetCapturedStdout();
  }
};

TEST_F(RunCommand, StatePrintsRuncPrettyJson) {
  add("c1", runtime::Status::kRunning, true);
  std::string out = run({"state", "c1"});
  EXPECT_EQ(out.rfind("{\n  \"ociVersion\": \"1.2.0\",\n  \"id\": \"c1\",\n  \"pid\": " +
                          std::to_string(::getpid()) + ",\n  \"status\": \"running\",",
                      0),
            0u)
      << out;
  EXPECT_NE(out.find("\"bundle\": \"/bundles/c1\""), std::string::npos);
  EXPECT_NE(out.find("\"rootfs\": \"/bundles/c1/rootfs\""), std::string::npos);
  EXPECT_NE(out.find("\"created\": \"2026-11-23T10:14:25.343839709Z\""), std::string::npos);
}

TEST_F(RunCommand, StateOfDeadMonitorIsStoppedWithPidZero) {
  add("gone", runtime::Status::kRunning, false);
  std::string out = run({"state", "gone"});
  EXPECT_NE(out.find("\"status\": \"stopped\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"pid\": 0,"), std::string::npos) << out;
}

TEST_F(RunCommand, StateOfUnknownId) {
  try {
    run({"state", "nope"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "container \"nope\" does not exist");
  }
}

TEST_F(RunCommand, ListTableJsonQuiet) {
  add("b", runtime::Status::kCreated, true);
  add("a", runtime::Status::kRunning, false);
  std::string table = run({"list"});
  std::istringstream lines(table);
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(header.rfind("ID          PID         STATUS      BUNDLE", 0), 0u) << table;
  EXPECT_EQ(first.rfind("a           0           stopped     /bundles/a", 0), 0u) << table;
  EXPECT_EQ(second.rfind("b           " + std::to_string(::getpid()), 0), 0u) << table;
  EXPECT_NE(second.find("created"), std::string::npos);
  EXPECT_EQ(run({"list", "-q"}), "a\nb\n");
  std::string json = run({"list", "--format", "json"});
  EXPECT_EQ(json.front(), '[');
  EXPECT_EQ(json.back(), '\n');
  EXPECT_LT(json.find("\"id\":\"a\""), json.find("\"id\":\"b\""));
}

TEST_F(RunCommand, ListOfMissingRootIsEmpty) {
  EXPECT_EQ(run({"list", "-q"}), "");
  EXPECT_EQ(run({"list", "-f", "json"}), "null\n");
  EXPECT_EQ(run({"list"}), "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
}

TEST_F(RunCommand, ListSkipsUnreadableRecords) {
  add("good", runtime::Status::kRunning, true);
  std::filesystem::create_directories(root_ / "broken");
  std::ofstream(root_ / "broken" / "container.json") << "{not json";
  EXPECT_EQ(run({"list", "-q"}), "good\n");
}

TEST_F(RunCommand, SpecWritesConfigAndRefusesToOverwrite) {
  std::filesystem::create_directories(root_);
  run({"spec", "--bundle", root_.string()});
  std::ifstream in(root_ / "config.json");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("\"ociVersion\""), std::string::npos);
  try {
    run({"spec", "-b", root_.string()});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "File config.json exists. Remove it first to generate a new one");
  }
}

TEST_F(RunCommand, FeaturesIsJson) {
  std::string out = run({"features"});
  EXPECT_EQ(out.front(), '{');
  EXPECT_EQ(out.back(), '\n');
  EXPECT_NE(out.find("\"ociVersionMax\""), std::string::npos);
}

TEST_F(RunCommand, CheckpointRestoreRefused) {
  try {
    run({"checkpoint", "--image-path", "/x", "c"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "checkpoint is not supported by ch-runc yet");
  }
  try {
    run({"restore", "-b", "/b", "c"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "restore is not supported by ch-runc yet");
  }
}

TEST_F(RunCommand, ExecCgroupAndRdtRefused) {
  EXPECT_THROW(run({"exec", "--cgroup", "sub", "c", "true"}), Error);
  try {
    run({"update", "--l3-cache-schema", "L3:0=f", "c"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Intel RDT"), std::string::npos);
  }
}

}  // namespace
}  // namespace chrunc::cmd
