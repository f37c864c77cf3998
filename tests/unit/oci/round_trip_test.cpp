#include <gtest/gtest.h>

#include "oci/default_spec.hpp"
#include "oci/spec_parser.hpp"
#include "oci/spec_validator.hpp"
#include "oci/spec_writer.hpp"
#include "rich_spec.hpp"

namespace chrunc::oci {
namespace {

TEST(RoundTrip, RichSpecSurvivesWriteAndParse) {
  Spec spec = parse_spec(testing::kRichSpec);
  // Spot checks that the rich spec really is rich.
  ASSERT_TRUE(spec.process && spec.process->scheduler && spec.process->io_priority);
  ASSERT_TRUE(spec.linux && spec.linux->seccomp && spec.linux->resources);
  EXPECT_EQ(spec.process->rlimits[0].hard, UINT64_MAX);
  EXPECT_EQ(spec.process->args[2], "echo \"hi\"\n\x01");
  EXPECT_EQ(spec.linux->time_offsets.at("boottime").secs, -3);
  EXPECT_EQ(spec.linux->resources->block_io->weight_device[1].weight, std::nullopt);
  EXPECT_EQ(spec.linux->resources->memory->disable_oom_killer, false);

  std::string text = write_spec(spec);
  EXPECT_EQ(parse_spec(text), spec);
  EXPECT_EQ(write_spec(parse_spec(text)), text);
  EXPECT_EQ(text.find('\n'), std::string::npos) << "compact output";
}

TEST(RoundTrip, ChangedFieldIsNotEqual) {
  Spec spec = parse_spec(testing::kRichSpec);
  Spec other = spec;
  other.linux->seccomp->syscalls[1].args[0].value_two = 4;
  EXPECT_NE(parse_spec(write_spec(other)), spec);
}

TEST(RoundTrip, MinimalAndDefaultSpecs) {
  Spec empty;
  EXPECT_EQ(write_spec(empty), R"({"ociVersion":""})");
  EXPECT_EQ(parse_spec(write_spec(empty)), empty);
  for (bool rootless : {false, true}) {
    Spec d = default_spec(rootless);
    EXPECT_EQ(parse_spec(write_spec(d)), d);
    EXPECT_TRUE(spec_violations(d).empty());
  }
}

TEST(RoundTrip, ProcessAndResources) {
  Spec spec = parse_spec(testing::kRichSpec);
  EXPECT_EQ(parse_process(write_process(*spec.process)), *spec.process);
  EXPECT_EQ(parse_resources(write_resources(*spec.linux->resources)), *spec.linux->resources);
  Resources r;
  r.memory = MemoryResources{};
  r.memory->limit = 0;
  EXPECT_EQ(write_resources(r), R"({"memory":{"limit":0}})");
}

TEST(RoundTrip, OmitsEmptyAndFalseLikeGo) {
  Process p;
  p.cwd = "/";
  EXPECT_EQ(write_process(p), R"({"user":{"uid":0,"gid":0},"cwd":"/"})");
}

}  // namespace
}  // namespace chrunc::oci
