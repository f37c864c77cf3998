#include "oci/default_spec.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "oci/spec_parser.hpp"
#include "oci/version.hpp"

namespace chrunc::oci {
namespace {

constexpr const char* kRunc = "/usr/sbin/runc";

// `runc spec [--rootless]` output with runc's ociVersion replaced by ours.
std::string runc_spec(bool rootless) {
  auto dir = std::filesystem::temp_directory_path() /
             ("oci-runc-spec-" + std::to_string(getpid()) + (rootless ? "-rl" : ""));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string cmd =
      std::string(kRunc) + " spec --bundle " + dir.string() + (rootless ? " --rootless" : "");
  if (std::system(cmd.c_str()) != 0) return "";
  std::ifstream in(dir / "config.json");
  std::stringstream buf;
  buf << in.rdbuf();
  std::filesystem::remove_all(dir);
  std::string text = buf.str();
  const std::string key = "\"ociVersion\": \"";
  auto start = text.find(key);
  if (start == std::string::npos) return text;
  start += key.size();
  return text.replace(start, text.find('"', start) - start, kSpecVersion);
}

class DefaultSpec : public ::testing::TestWithParam<bool> {};

TEST_P(DefaultSpec, MatchesRuncSpecByteForByte) {
  if (!std::filesystem::exists(kRunc)) GTEST_SKIP() << kRunc << " is not installed";
  std::string expected = runc_spec(GetParam());
  ASSERT_FALSE(expected.empty()) << "runc spec failed";
  EXPECT_EQ(default_spec_json(GetParam()), expected);
}

TEST_P(DefaultSpec, ParsesBackToTheModel) {
  Spec s = parse_spec(default_spec_json(GetParam()));
  EXPECT_EQ(s, default_spec(GetParam()));
  EXPECT_EQ(s.oci_version, kSpecVersion);
  EXPECT_EQ(s.linux->uid_mappings.empty(), !GetParam());
}

INSTANTIATE_TEST_SUITE_P(Modes, DefaultSpec, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Rootless" : "Root"; });

}  // namespace
}  // namespace chrunc::oci
