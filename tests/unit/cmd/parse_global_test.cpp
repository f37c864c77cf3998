#include <gtest/gtest.h>
#include <unistd.h>

#include "build_config.hpp"
#include "parse_test_util.hpp"

namespace chrunc::cmd {
namespace {
using testing::parse;
using testing::parse_error;

TEST(ParseGlobal, DefaultsMatchRunc) {
  ParsedCommand p = parse({"state", "x"});
  EXPECT_EQ(p.global.root, std::filesystem::path(build::kDefaultRoot));
  EXPECT_EQ(p.global.log_path, "");
  EXPECT_EQ(p.global.log_format, "text");
  EXPECT_FALSE(p.global.debug);
  EXPECT_FALSE(p.global.systemd_cgroup);
  EXPECT_EQ(p.rootless, "auto");
  EXPECT_EQ(p.global.rootless, ::geteuid() != 0);
  EXPECT_EQ(p.criu, "criu");
}

TEST(ParseGlobal, DockerShimGlobalFlags) {
  ParsedCommand p =
      parse({"--root", "/run/docker/runtime-runc/moby", "--log", "/b/log.json", "--log-format",
             "json", "--systemd-cgroup", "--debug", "delete", "--force", "abc"});
  EXPECT_EQ(p.global.root, "/run/docker/runtime-runc/moby");
  EXPECT_EQ(p.global.log_path, "/b/log.json");
  EXPECT_EQ(p.global.log_format, "json");
  EXPECT_TRUE(p.global.systemd_cgroup);
  EXPECT_TRUE(p.global.debug);
  EXPECT_EQ(p.command, Command::kDelete);
}

TEST(ParseGlobal, PodmanEqualsForm) {
  ParsedCommand p = parse({"--log-format=json", "--log=/tmp/x.log", "start", "c1"});
  EXPECT_EQ(p.global.log_format, "json");
  EXPECT_EQ(p.global.log_path, "/tmp/x.log");
  EXPECT_EQ(std::get<IdOptions>(p.options).id, "c1");
}

TEST(ParseGlobal, RootIsMadeAbsolute) {
  ParsedCommand p = parse({"--root", "rel/dir", "list"});
  EXPECT_TRUE(p.global.root.is_absolute());
  EXPECT_EQ(p.global.root, std::filesystem::current_path() / "rel/dir");
}

TEST(ParseGlobal, RootlessValues) {
  EXPECT_TRUE(parse({"--rootless", "true", "list"}).global.rootless);
  EXPECT_FALSE(parse({"--rootless", "false", "list"}).global.rootless);
  EXPECT_TRUE(parse({"--rootless=1", "list"}).global.rootless);
  EXPECT_EQ(parse({"--rootless", "auto", "list"}).global.rootless, ::geteuid() != 0);
  EXPECT_NE(parse_error({"--rootless", "maybe", "list"}).find("--rootless"), std::string::npos);
}

TEST(ParseGlobal, CriuAccepted) {
  EXPECT_EQ(parse({"--criu", "/usr/sbin/criu", "list"}).criu, "/usr/sbin/criu");
}

TEST(ParseGlobal, BadLogFormat) {
  EXPECT_EQ(parse_error({"--log-format", "xml", "list"}), "invalid log-format: xml");
}

TEST(ParseGlobal, UsageErrorCarriesGlobalsParsedSoFar) {
  try {
    parse({"--log", "/tmp/l.json", "--log-format", "json", "state"});
    FAIL() << "expected a usage error";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.global().log_path, "/tmp/l.json");
    EXPECT_EQ(e.global().log_format, "json");
  }
}

TEST(ParseGlobal, Version) {
  for (const char* flag : {"--version", "-v"}) {
    ParsedCommand p = parse({flag});
    EXPECT_EQ(p.command, Command::kVersion);
    EXPECT_EQ(p.output.rfind("ch-runc version 0.1.0\ncommit: ", 0), 0u) << p.output;
    EXPECT_NE(p.output.find("\nspec: 1.2.0\n"), std::string::npos);
    EXPECT_NE(p.output.find("\nlibseccomp: 2."), std::string::npos);
  }
}

TEST(ParseGlobal, HelpForms) {
  for (std::vector<std::string> words :
       std::vector<std::vector<std::string>>{{}, {"--help"}, {"-h"}, {"help"}, {"h"}}) {
    ParsedCommand p = parse(words);
    EXPECT_EQ(p.command, Command::kHelp);
    EXPECT_NE(p.output.find("checkpoint"), std::string::npos);
    EXPECT_NE(p.output.find("--log-format"), std::string::npos);
  }
  ParsedCommand kill_help = parse({"kill", "--help"});
  EXPECT_EQ(kill_help.command, Command::kHelp);
  EXPECT_NE(kill_help.output.find("--all"), std::string::npos);
  ParsedCommand help_exec = parse({"help", "exec"});
  EXPECT_NE(help_exec.output.find("--ignore-paused"), std::string::npos);
  EXPECT_EQ(parse_error({"help", "nope"}), "No help topic for 'nope'");
}

TEST(ParseGlobal, UnknownCommandAndFlags) {
  EXPECT_EQ(parse_error({"bogus"}), "No help topic for 'bogus'");
  EXPECT_EQ(parse_error({"--bogus", "list"}), "flag provided but not defined: --bogus");
  EXPECT_EQ(parse_error({"state", "--bogus", "x"}), "flag provided but not defined: --bogus");
  // Global flags belong before the command, as with runc.
  EXPECT_EQ(parse_error({"state", "--root", "/x", "id"}), "flag provided but not defined: --root");
}

}  // namespace
}  // namespace chrunc::cmd
