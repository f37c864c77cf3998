#pragma once
// Helpers for parsing a command line given as a list of words.

#include <string>
#include <vector>

#include "cmd/parsed_command.hpp"

namespace chrunc::cmd::testing {

inline ParsedCommand parse(std::vector<std::string> words) {
  words.insert(words.begin(), "ch-runc");
  std::vector<const char*> argv;
  for (const std::string& w : words) argv.push_back(w.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

// The message of the UsageError parsing throws ("" when it parses).
inline std::string parse_error(std::vector<std::string> words) {
  try {
    parse(std::move(words));
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace chrunc::cmd::testing
