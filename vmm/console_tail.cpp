#include "vmm/console_tail.hpp"

#include <cstdio>

#include "vmm/log_tail.hpp"

namespace chrunc::vmm {

std::string escape_guest_text(const std::string& text, size_t max_bytes) {
  std::string out;
  const size_t n = std::min(text.size(), max_bytes);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (text.size() > max_bytes) out += "...";
  return out;
}

std::string console_tail(const std::filesystem::path& console_log, size_t max_bytes) {
  return escape_guest_text(last_line(console_log), max_bytes);
}

}  // namespace chrunc::vmm
