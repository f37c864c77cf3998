#include "cmd/value_parsers.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/error.hpp"

namespace chrunc::cmd {
namespace {

Error invalid(const std::string& text, const std::string& flag, const std::string& why) {
  return Error("invalid value \"" + text + "\" for " + flag + ": " + why, EINVAL);
}

bool all_digits(const std::string& text, size_t from = 0) {
  if (text.size() <= from) return false;
  for (size_t i = from; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace

uint64_t parse_uint64(const std::string& text, const std::string& flag) {
  if (!all_digits(text)) throw invalid(text, flag, "not an unsigned integer");
  errno = 0;
  unsigned long long value = std::strtoull(text.c_str(), nullptr, 10);
  if (errno == ERANGE) throw invalid(text, flag, "out of range");
  return value;
}

int64_t parse_int64(const std::string& text, const std::string& flag) {
  if (!all_digits(text, text.rfind('-', 0) == 0 ? 1 : 0))
    throw invalid(text, flag, "not an integer");
  errno = 0;
  long long value = std::strtoll(text.c_str(), nullptr, 10);
  if (errno == ERANGE) throw invalid(text, flag, "out of range");
  return value;
}

int64_t parse_memory_bytes(const std::string& text, const std::string& flag) {
  if (text == "-1") return -1;
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
    ++i;
  }
  const std::string number = text.substr(0, i);
  if (number.empty() || !std::isdigit(static_cast<unsigned char>(number.front())) ||
      number.back() == '.' || number.find("..") != std::string::npos ||
      number.find('.') != number.rfind('.')) {
    throw invalid(text, flag, "expected a size such as 512m or 1g");
  }
  if (i < text.size() && text[i] == ' ') ++i;
  double multiplier = 1;
  if (i < text.size()) {
    switch (std::tolower(static_cast<unsigned char>(text[i]))) {
      case 'k':
        multiplier = 1024.0;
        ++i;
        break;
      case 'm':
        multiplier = 1024.0 * 1024;
        ++i;
        break;
      case 'g':
        multiplier = 1024.0 * 1024 * 1024;
        ++i;
        break;
      case 't':
        multiplier = 1024.0 * 1024 * 1024 * 1024;
        ++i;
        break;
      case 'p':
        multiplier = 1024.0 * 1024 * 1024 * 1024 * 1024;
        ++i;
        break;
      default:
        break;
    }
  }
  if (i < text.size() && multiplier != 1 && (text[i] == 'i' || text[i] == 'I')) ++i;
  if (i < text.size() && (text[i] == 'b' || text[i] == 'B')) ++i;
  if (i != text.size()) throw invalid(text, flag, "expected a size such as 512m or 1g");
  double bytes = std::strtod(number.c_str(), nullptr) * multiplier;
  if (bytes >= static_cast<double>(std::numeric_limits<int64_t>::max())) {
    throw invalid(text, flag, "out of range");
  }
  return static_cast<int64_t>(bytes);
}

std::chrono::nanoseconds parse_go_duration(const std::string& text, const std::string& flag) {
  auto bad = [&] { return invalid(text, flag, "expected a duration such as 5s, 500ms or 1m"); };
  std::string rest = text;
  bool negative = false;
  if (!rest.empty() && (rest[0] == '-' || rest[0] == '+')) {
    negative = rest[0] == '-';
    rest.erase(0, 1);
  }
  if (rest == "0") return std::chrono::nanoseconds(0);
  if (rest.empty()) throw bad();
  long double total = 0;
  size_t i = 0;
  while (i < rest.size()) {
    size_t start = i;
    while (i < rest.size() &&
           (std::isdigit(static_cast<unsigned char>(rest[i])) || rest[i] == '.')) {
      ++i;
    }
    std::string number = rest.substr(start, i - start);
    if (number.empty() || number == "." || number.find('.') != number.rfind('.')) throw bad();
    size_t unit_start = i;
    while (i < rest.size() && !std::isdigit(static_cast<unsigned char>(rest[i])) &&
           rest[i] != '.') {
      ++i;
    }
    std::string unit = rest.substr(unit_start, i - unit_start);
    long double scale;
    if (unit == "ns")
      scale = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      scale = 1e3;
    else if (unit == "ms")
      scale = 1e6;
    else if (unit == "s")
      scale = 1e9;
    else if (unit == "m")
      scale = 60e9;
    else if (unit == "h")
      scale = 3600e9;
    else
      throw bad();
    total += std::strtold(number.c_str(), nullptr) * scale;
  }
  if (total > static_cast<long double>(std::numeric_limits<int64_t>::max())) throw bad();
  auto ns = static_cast<int64_t>(total);
  return std::chrono::nanoseconds(negative ? -ns : ns);
}

}  // namespace chrunc::cmd
