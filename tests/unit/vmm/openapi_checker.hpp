#pragma once
// Test helper: checks an HTTP request against cloud-hypervisor's OpenAPI
// contract (../shared/reference/cloud-hypervisor-openapi.yaml).

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <vector>

namespace chrunc::vmm::test {

// Where the contract is expected: beside the source tree (or its parent).
std::filesystem::path openapi_contract_path();

class OpenApiChecker {
 public:
  explicit OpenApiChecker(const std::filesystem::path& yaml_file);

  // Problems found (empty when the request follows the contract): the path
  // exists with that method, the body is present iff the contract has one,
  // required properties are present, types match, no unknown properties.
  std::vector<std::string> check(const std::string& method, const std::string& api_path,
                                 const std::string& body) const;

 private:
  YAML::Node resolve(YAML::Node schema) const;
  void check_value(const YAML::Node& schema, const void* json_value, const std::string& where,
                   std::vector<std::string>& problems) const;

  YAML::Node root_;
};

}  // namespace chrunc::vmm::test
