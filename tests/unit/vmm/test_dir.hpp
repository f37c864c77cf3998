#pragma once
// Test helper: a private (0700) temporary directory, removed at the end.

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace chrunc::vmm::test {

class TestDir {
 public:
  TestDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "chrunc-vmm-test.XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TestDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace chrunc::vmm::test
