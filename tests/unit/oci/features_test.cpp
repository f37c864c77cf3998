#include "oci/features.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "oci/known_names.hpp"

namespace chrunc::oci {
namespace {

std::vector<std::string> strings(const rapidjson::Value& arr) {
  std::vector<std::string> out;
  for (const auto& v : arr.GetArray()) out.emplace_back(v.GetString());
  return out;
}

TEST(Features, ParsesAndListsWhatWeClaim) {
  std::string text = features_json();
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_STREQ(doc["ociVersionMin"].GetString(), "1.0.0");
  EXPECT_STREQ(doc["ociVersionMax"].GetString(), "1.2.0");
  EXPECT_EQ(strings(doc["hooks"]),
            (std::vector<std::string>{"prestart", "createRuntime", "createContainer",
                                      "startContainer", "poststart", "poststop"}));
  auto options = strings(doc["mountOptions"]);
  EXPECT_NE(std::find(options.begin(), options.end(), "rro"), options.end());
  EXPECT_EQ(std::find(options.begin(), options.end(), "tmpcopyup"), options.end());

  const auto& linux = doc["linux"];
  EXPECT_EQ(strings(linux["namespaces"]),
            (std::vector<std::string>{"cgroup", "ipc", "mount", "network", "pid", "time", "user",
                                      "uts"}));
  auto caps = strings(linux["capabilities"]);
  EXPECT_EQ(caps.size(), known_capabilities().size());
  EXPECT_NE(std::find(caps.begin(), caps.end(), "CAP_SYS_RESOURCE"), caps.end());
  EXPECT_TRUE(linux["cgroup"]["v1"].GetBool());
  EXPECT_TRUE(linux["cgroup"]["v2"].GetBool());
  EXPECT_FALSE(linux["cgroup"]["systemd"].GetBool());
  EXPECT_FALSE(linux["cgroup"]["systemdUser"].GetBool());
  EXPECT_TRUE(linux["seccomp"]["enabled"].GetBool());
  EXPECT_EQ(strings(linux["seccomp"]["actions"]).size(), 9u);
  EXPECT_EQ(strings(linux["seccomp"]["operators"]).size(), 7u);
  auto archs = strings(linux["seccomp"]["archs"]);
  EXPECT_NE(std::find(archs.begin(), archs.end(), "SCMP_ARCH_X86_64"), archs.end());
  EXPECT_EQ(strings(linux["seccomp"]["supportedFlags"]).size(), 3u);
  EXPECT_FALSE(linux["apparmor"]["enabled"].GetBool());
  EXPECT_FALSE(linux["selinux"]["enabled"].GetBool());
  EXPECT_FALSE(linux["intelRdt"]["enabled"].GetBool());
  EXPECT_TRUE(doc["annotations"].HasMember("io.containerization.vm.cpus"));
  EXPECT_TRUE(doc["annotations"].HasMember("io.containerization.vm.memory"));
  for (const auto& a : doc["annotations"].GetObject())
    EXPECT_NE(std::string(a.name.GetString()).rfind("org.opencontainers.runc.", 0), 0u);
}

TEST(Features, PrettyPrintedLikeRunc) {
  std::string text = features_json();
  EXPECT_EQ(text.substr(0, 32), "{\n    \"ociVersionMin\": \"1.0.0\",\n");
  EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace chrunc::oci
