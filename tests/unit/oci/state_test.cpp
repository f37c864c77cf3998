#include "oci/state.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"

namespace chrunc::oci {
namespace {

State sample() {
  State s;
  s.oci_version = "1.2.0";
  s.id = "t1";
  s.status = "created";
  s.pid = 17853;
  s.bundle = "/tmp/ocitest";
  s.rootfs = "/tmp/ocitest/rootfs";
  s.created = "2026-11-23T10:14:25.343839709Z";
  s.annotations = {{"x", "y"}, {"a.b", "c"}};
  return s;
}

// Captured from `runc state t1` (runc 1.1.5), ociVersion aside.
TEST(State, WriteStateMatchesRunc) {
  EXPECT_EQ(write_state(sample()),
            "{\n"
            "  \"ociVersion\": \"1.2.0\",\n"
            "  \"id\": \"t1\",\n"
            "  \"pid\": 17853,\n"
            "  \"status\": \"created\",\n"
            "  \"bundle\": \"/tmp/ocitest\",\n"
            "  \"rootfs\": \"/tmp/ocitest/rootfs\",\n"
            "  \"created\": \"2026-11-23T10:14:25.343839709Z\",\n"
            "  \"annotations\": {\n"
            "    \"a.b\": \"c\",\n"
            "    \"x\": \"y\"\n"
            "  },\n"
            "  \"owner\": \"\"\n"
            "}");
}

TEST(State, WriteStateOmitsEmptyAnnotations) {
  State s = sample();
  s.annotations.clear();
  s.status = "stopped";
  s.pid = 0;
  s.owner = "root";
  EXPECT_EQ(write_state(s),
            "{\n  \"ociVersion\": \"1.2.0\",\n  \"id\": \"t1\",\n  \"pid\": 0,\n"
            "  \"status\": \"stopped\",\n  \"bundle\": \"/tmp/ocitest\",\n"
            "  \"rootfs\": \"/tmp/ocitest/rootfs\",\n"
            "  \"created\": \"2026-11-23T10:14:25.343839709Z\",\n  \"owner\": \"root\"\n}");
}

// What runc hands a hook on stdin (the runtime-spec state).
TEST(State, CompactStateForHooks) {
  State s = sample();
  s.status = "creating";
  EXPECT_EQ(write_state_compact(s),
            R"({"ociVersion":"1.2.0","id":"t1","status":"creating","pid":17853,)"
            R"("bundle":"/tmp/ocitest","annotations":{"a.b":"c","x":"y"}})");
  s.status = "stopped";
  s.pid = 0;
  s.annotations.clear();
  EXPECT_EQ(write_state_compact(s),
            R"({"ociVersion":"1.2.0","id":"t1","status":"stopped","bundle":"/tmp/ocitest"})");
}

TEST(State, ListAsRuncPrintsIt) {
  State s = sample();
  s.owner = "root";
  EXPECT_EQ(write_state_list({s}),
            R"([{"ociVersion":"1.2.0","id":"t1","pid":17853,"status":"created",)"
            R"("bundle":"/tmp/ocitest","rootfs":"/tmp/ocitest/rootfs",)"
            R"("created":"2026-11-23T10:14:25.343839709Z","annotations":{"a.b":"c","x":"y"},)"
            R"("owner":"root"}])"
            "\n");
  EXPECT_EQ(write_state_list({}), "null\n");
}

TEST(State, CreatedIsRfc3339NanoLikeGo) {
  using namespace std::chrono;
  system_clock::time_point t{seconds(1795428865)};  // 2026-11-23T10:14:25Z
  EXPECT_EQ(rfc3339_nano(t), "2026-11-23T10:14:25Z");
  EXPECT_EQ(rfc3339_nano(t + nanoseconds(343839709)), "2026-11-23T10:14:25.343839709Z");
  EXPECT_EQ(rfc3339_nano(t + nanoseconds(340000000)), "2026-11-23T10:14:25.34Z");
  EXPECT_EQ(rfc3339_nano(t + nanoseconds(1)), "2026-11-23T10:14:25.000000001Z");
}

TEST(State, ParseReadsWhatWriteWrites) {
  State s = sample();
  s.owner = "root";
  EXPECT_EQ(parse_state(write_state(s)), s);
  State hook = parse_state(write_state_compact(s));
  EXPECT_EQ(hook.pid, 17853);
  EXPECT_EQ(hook.rootfs, "");
  EXPECT_THROW(parse_state(R"({"pid":"x"})"), Error);
  EXPECT_THROW(parse_state("nope"), Error);
}

}  // namespace
}  // namespace chrunc::oci
