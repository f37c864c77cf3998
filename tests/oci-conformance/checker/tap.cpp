#include "tests/oci-conformance/checker/tap.hpp"

#include <cstdio>

namespace conformance {

void Tap::check(bool passed, std::string_view desc, std::string_view diag_text) {
  ++count_;
  if (!passed) ++failed_;
  std::printf("%sok %d - %.*s\n", passed ? "" : "not ", count_, static_cast<int>(desc.size()),
              desc.data());
  if (!passed && !diag_text.empty()) diag(diag_text);
  std::fflush(stdout);
}

void Tap::expect_eq(std::string_view desc, const std::string& expected, const std::string& actual) {
  check(expected == actual, desc, "expected '" + expected + "', got '" + actual + "'");
}

void Tap::skip(std::string_view desc, std::string_view reason) {
  ++count_;
  std::printf("ok %d - %.*s # SKIP %.*s\n", count_, static_cast<int>(desc.size()), desc.data(),
              static_cast<int>(reason.size()), reason.data());
  std::fflush(stdout);
}

void Tap::diag(std::string_view text) {
  std::printf("# %.*s\n", static_cast<int>(text.size()), text.data());
}

int Tap::finish() {
  std::printf("1..%d\n", count_);
  std::fflush(stdout);
  return failed_ == 0 ? 0 : 1;
}

}  // namespace conformance
