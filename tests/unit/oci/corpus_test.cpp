// The fuzzer's seed corpus, run through the same checks as the fuzzer in the
// ordinary (non-clang) build.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "oci/spec_parser.hpp"
#include "oci/spec_validator.hpp"
#include "oci/spec_writer.hpp"

namespace chrunc::oci {
namespace {

TEST(FuzzCorpus, EverySeedParsesOrFailsCleanlyAndRoundTrips) {
  int parsed = 0, rejected = 0;
  for (const auto& entry : std::filesystem::directory_iterator(CHRUNC_FUZZ_CORPUS)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    SCOPED_TRACE(entry.path().filename().string());
    try {
      Spec spec = parse_spec(buf.str());
      (void)spec_violations(spec);
      EXPECT_EQ(parse_spec(write_spec(spec)), spec);
      ++parsed;
    } catch (const Error&) {
      ++rejected;
    }
  }
  EXPECT_GE(parsed, 4);
  EXPECT_GE(rejected, 1);
}

}  // namespace
}  // namespace chrunc::oci
