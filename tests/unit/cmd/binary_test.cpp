// The ch-runc executable end to end: exit codes, stdout, and the one error
// line on stderr / in the --log file.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "store_fixture.hpp"

namespace chrunc::cmd {
namespace {

struct Result {
  int code;
  std::string out, err;
};

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Binary : public testing::TempRoot {
 protected:
  Result ch_runc(const std::string& args) {
    std::filesystem::create_directories(root_.string() + ".io");
    auto out = std::filesystem::path(root_.string() + ".io") / "out";
    auto err = std::filesystem::path(root_.string() + ".io") / "err";
    std::string command = std::string(CHRUNC_BINARY) + " " + args + " >" + out.string() + " 2>" +
                          err.string() + " </dev/null";
    int status = std::system(command.c_str());
    Result r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
    return r;
  }
  void TearDown() override {
    std::filesystem::remove_all(root_.string() + ".io");
    TempRoot::TearDown();
  }
  std::string root() const { return "--root " + root_.string(); }
};

TEST_F(Binary, VersionOnStdout) {
  Result r = ch_runc("--version");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("ch-runc version 0.1.0\n", 0), 0u);
  EXPECT_EQ(r.err, "");
}

TEST_F(Binary, UnknownIdIsOneTextLogLineOnStderrExit1) {
  Result r = ch_runc(root() + " state nope");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  std::regex line(R"(time="[0-9T:-]+Z" level=error msg="container \\"nope\\" does not exist"\n)");
  EXPECT_TRUE(std::regex_match(r.err, line)) << r.err;
}

TEST_F(Binary, JsonLogFileGetsTheErrorStderrGetsThePlainMessage) {
  std::filesystem::create_directories(root_);
  auto log = root_ / "log.json";
  Result r = ch_runc(root() + " --log " + log.string() + " --log-format json kill nope KILL");
  EXPECT_EQ(r.code, 1);
  std::string text = slurp(log);
  // runc's kill looks the container up first; ours may name the engine when it is not built.
  std::regex json(R"(\{"level":"error","msg":"[^\n]+","time":"[0-9T:-]+Z"\}\n)");
  EXPECT_TRUE(std::regex_match(text, json)) << text;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  std::string unescaped = std::regex_replace(text, std::regex(R"(\\")"), "\"");
  EXPECT_NE(unescaped.find(r.err.substr(0, r.err.size() - 1)), std::string::npos) << text;
}

TEST_F(Binary, UsageErrorsAreLoggedToo) {
  std::filesystem::create_directories(root_);
  auto log = root_ / "usage.json";
  Result r = ch_runc("--log " + log.string() + " --log-format json state");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(slurp(log).find(R"x("msg":"ch-runc: \"state\" requires exactly 1 argument(s)")x"),
            std::string::npos);
  EXPECT_EQ(r.err, "ch-runc: \"state\" requires exactly 1 argument(s)\n");
}

TEST_F(Binary, UnknownCommandAndFlagExit1) {
  EXPECT_EQ(ch_runc(root() + " bogus").code, 1);
  EXPECT_EQ(ch_runc(root() + " list --bogus").code, 1);
  EXPECT_EQ(ch_runc(root() + " kill x NOPE").code, 1);
}

TEST_F(Binary, ListAndStateWork) {
  add("c1", runtime::Status::kCreated, false);
  Result list = ch_runc(root() + " list -q");
  EXPECT_EQ(list.code, 0);
  EXPECT_EQ(list.out, "c1\n");
  Result state = ch_runc(root() + " state c1");
  EXPECT_EQ(state.code, 0);
  EXPECT_NE(state.out.find("\"status\": \"stopped\""), std::string::npos);
}

TEST_F(Binary, InvalidIdRejected) {
  Result r = ch_runc(root() + " state ../x");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(R"(invalid container id \"../x\")"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace chrunc::cmd
