#pragma once
// TAP output of the in-container checker: "ok N - desc" / "not ok N - desc",
// diagnostics as "# ..." lines, the plan "1..N" printed last by finish().

#include <string>
#include <string_view>

namespace conformance {

class Tap {
 public:
  // Records one test point; `diag` is printed under a failing point.
  void check(bool passed, std::string_view desc, std::string_view diag = {});
  // "expected X, got Y" when the two differ.
  void expect_eq(std::string_view desc, const std::string& expected, const std::string& actual);
  void skip(std::string_view desc, std::string_view reason);
  void diag(std::string_view text);
  // Prints the plan; returns the process exit status (1 when anything failed).
  int finish();

 private:
  int count_ = 0;
  int failed_ = 0;
};

}  // namespace conformance
