#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/error.hpp"
#include "oci/spec_parser.hpp"

namespace chrunc::oci {
namespace {

std::string error_of(auto fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string spec_error(const std::string& json) {
  return error_of([&] { parse_spec(json); });
}

TEST(ParseSpec, ReadsProcessRootAndMounts) {
  Spec s = parse_spec(R"({"ociVersion":"1.2.0",
    "process":{"terminal":true,"user":{"uid":5,"gid":6,"umask":18,"additionalGids":[7,8]},
      "args":["sh","-c","true"],"env":["A=b"],"cwd":"/tmp","noNewPrivileges":true,
      "oomScoreAdj":-500,"rlimits":[{"type":"RLIMIT_NOFILE","hard":10,"soft":5}]},
    "root":{"path":"rootfs","readonly":true},"hostname":"h",
    "mounts":[{"destination":"/proc","type":"proc","source":"proc","options":["nosuid"]}]})");
  EXPECT_EQ(s.oci_version, "1.2.0");
  ASSERT_TRUE(s.process);
  EXPECT_TRUE(s.process->terminal);
  EXPECT_EQ(s.process->user.uid, 5u);
  EXPECT_EQ(s.process->user.umask, 18u);
  EXPECT_EQ(s.process->user.additional_gids, (std::vector<uint32_t>{7, 8}));
  EXPECT_EQ(s.process->args.size(), 3u);
  EXPECT_EQ(s.process->oom_score_adj, -500);
  ASSERT_EQ(s.process->rlimits.size(), 1u);
  EXPECT_EQ(s.process->rlimits[0].soft, 5u);
  ASSERT_TRUE(s.root);
  EXPECT_TRUE(s.root->readonly);
  ASSERT_EQ(s.mounts.size(), 1u);
  EXPECT_EQ(s.mounts[0].options, std::vector<std::string>{"nosuid"});
  EXPECT_FALSE(s.linux);
  EXPECT_FALSE(s.hooks);
}

TEST(ParseSpec, AbsentMemoryLimitStaysAbsentAndZeroStaysZero) {
  Spec s = parse_spec(
      R"({"ociVersion":"1","linux":{"resources":{"memory":{"swap":0},"pids":{"limit":0}}}})");
  ASSERT_TRUE(s.linux && s.linux->resources && s.linux->resources->memory);
  EXPECT_FALSE(s.linux->resources->memory->limit.has_value());
  EXPECT_EQ(s.linux->resources->memory->swap, 0);
  EXPECT_EQ(s.linux->resources->pids->limit, 0);
}

TEST(ParseSpec, UnknownMembersAreTolerated) {
  Spec s = parse_spec(
      R"({"ociVersion":"1.0.0","vendor.x":{"deep":[1,2]},"process":{"cwd":"/","future":true},
          "linux":{"intelRdt":{"closID":"x"},"newThing":1}})");
  EXPECT_EQ(s.process->cwd, "/");
  EXPECT_TRUE(s.linux->has_intel_rdt);
}

TEST(ParseSpec, NullIsAbsent) {
  Spec s = parse_spec(R"({"ociVersion":"1","process":null,"mounts":null})");
  EXPECT_FALSE(s.process);
  EXPECT_TRUE(s.mounts.empty());
}

TEST(ParseSpec, TypeErrorsNameTheJsonPath) {
  EXPECT_EQ(spec_error(R"({"process":{"args":[1]}})"), "process.args[0]: expected a string");
  EXPECT_EQ(spec_error(R"({"process":{"args":"sh"}})"), "process.args: expected an array");
  EXPECT_EQ(spec_error(R"({"ociVersion":1})"), "ociVersion: expected a string");
  EXPECT_EQ(spec_error(R"({"process":{"terminal":"yes"}})"),
            "process.terminal: expected a boolean");
  EXPECT_EQ(spec_error(R"({"process":{"user":{"uid":-1}}})"),
            "process.user.uid: integer out of range");
  EXPECT_EQ(spec_error(R"({"process":{"user":{"uid":4294967296}}})"),
            "process.user.uid: integer out of range");
  EXPECT_EQ(spec_error(R"({"process":{"user":{"gid":1.5}}})"),
            "process.user.gid: expected an integer");
  EXPECT_EQ(spec_error(R"({"linux":{"namespaces":[{"type":"pid"},{"type":"uts","path":7}]}})"),
            "linux.namespaces[1].path: expected a string");
  EXPECT_EQ(spec_error(R"({"linux":{"resources":{"memory":{"limit":"1G"}}}})"),
            "linux.resources.memory.limit: expected an integer");
  EXPECT_EQ(spec_error(R"({"linux":{"sysctl":{"net.x":1}}})"),
            "linux.sysctl.net.x: expected a string");
  EXPECT_EQ(spec_error(R"({"hooks":{"poststop":[{"path":"/x","timeout":"5"}]}})"),
            "hooks.poststop[0].timeout: expected an integer");
  EXPECT_EQ(spec_error(R"({"root":[]})"), "root: expected an object");
  EXPECT_EQ(spec_error("[]"), "expected a JSON object at the top level");
}

TEST(ParseSpec, RequiredMembersTheModelCannotRepresent) {
  EXPECT_EQ(spec_error(R"({"mounts":[{"type":"proc"}]})"), "mounts[0].destination: required");
  EXPECT_EQ(spec_error(R"({"hooks":{"prestart":[{"args":[]}]}})"),
            "hooks.prestart[0].path: required");
  EXPECT_EQ(spec_error(R"({"linux":{"namespaces":[{"path":"/x"}]}})"),
            "linux.namespaces[0].type: required");
  EXPECT_EQ(spec_error(R"({"linux":{"devices":[{"type":"c","path":"/dev/x","minor":1}]}})"),
            "linux.devices[0].major: required for device type \"c\"");
  // A fifo needs neither.
  EXPECT_NO_THROW(parse_spec(R"({"linux":{"devices":[{"type":"p","path":"/dev/f"}]}})"));
  EXPECT_EQ(spec_error(R"({"linux":{"seccomp":{"syscalls":[]}}})"),
            "linux.seccomp.defaultAction: required");
}

TEST(ParseSpec, InvalidJsonNamesTheOffset) {
  EXPECT_EQ(spec_error(R"({"a": })"), "config.json: invalid JSON at offset 6: Invalid value.");
  EXPECT_EQ(spec_error("{} x"),
            "config.json: invalid JSON at offset 3: The document root must not be followed by "
            "other values.");
  // Deep nesting is an ordinary value, not a stack overflow.
  std::string deep = R"({"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_NO_THROW(parse_spec(deep));
}

TEST(LoadSpec, NamesTheFile) {
  EXPECT_EQ(error_of([] { load_spec("/nonexistent/config.json"); }),
            "open /nonexistent/config.json: No such file or directory");
  auto dir = std::filesystem::temp_directory_path() / ("oci-load-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto file = dir / "config.json";
  std::ofstream(file) << R"({"ociVersion":"1.2.0","process":{"args":[true]}})";
  EXPECT_EQ(error_of([&] { load_spec(file); }),
            file.string() + ": process.args[0]: expected a string");
  std::ofstream(file) << "{";
  EXPECT_EQ(error_of([&] { load_spec(file); }),
            file.string() + ": invalid JSON at offset 1: Missing a name for object member.");
  std::ofstream(file) << R"({"ociVersion":"1.2.0"})";
  EXPECT_EQ(load_spec(file).oci_version, "1.2.0");
  std::filesystem::remove_all(dir);
}

TEST(ParseProcess, ForExec) {
  Process p = parse_process(R"({"args":["ls"],"cwd":"/","env":["X=1"],"user":{"uid":1}})");
  EXPECT_EQ(p.args, std::vector<std::string>{"ls"});
  EXPECT_EQ(p.user.uid, 1u);
  EXPECT_EQ(error_of([] { parse_process(R"({"cwd":7})"); }), "cwd: expected a string");
}

TEST(ParseResources, ForUpdate) {
  Resources r = parse_resources(R"({"memory":{"limit":1048576},"cpu":{"quota":-1,"cpus":"0-1"},
      "pids":{"limit":100},"blockIO":{"weight":300}})");
  EXPECT_EQ(r.memory->limit, 1048576);
  EXPECT_EQ(r.cpu->quota, -1);
  EXPECT_EQ(r.cpu->cpus, "0-1");
  EXPECT_EQ(r.pids->limit, 100);
  EXPECT_EQ(r.block_io->weight, 300);
  EXPECT_EQ(error_of([] { parse_resources(R"({"blockIO":{"weight":70000}})"); }),
            "blockIO.weight: integer out of range");
}

}  // namespace
}  // namespace chrunc::oci
