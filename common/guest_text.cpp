#include "common/guest_text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace chrunc {
namespace {

// The length of the valid UTF-8 character at text[i] (1 to 4), or 0 when the
// bytes there are not one (stray continuation byte, overlong form,
// surrogate, past U+10FFFF, cut short).
size_t utf8_length(std::string_view text, size_t i, uint32_t& code_point) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  size_t n;
  unsigned char low = 0x80, high = 0xbf;  // the second byte's range
  if (lead >= 0xc2 && lead <= 0xdf) {
    n = 2;
    code_point = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    n = 3;
    code_point = lead & 0x0f;
    if (lead == 0xe0) low = 0xa0;   // no overlong forms
    if (lead == 0xed) high = 0x9f;  // no surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    n = 4;
    code_point = lead & 0x07;
    if (lead == 0xf0) low = 0x90;   // no overlong forms
    if (lead == 0xf4) high = 0x8f;  // at most U+10FFFF
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const unsigned char c = byte(i + k);
    if (k == 1 ? (c < low || c > high) : (c < 0x80 || c > 0xbf)) return 0;
    code_point = (code_point << 6) | (c & 0x3f);
  }
  return n;
}

// Characters a terminal acts on, or that reorder what it shows.
bool unsafe(uint32_t c) {
  if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) return true;
  return c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
         (c >= 0x2066 && c <= 0x2069);
}

// Walks `text` up to `max_bytes`: calls keep(i, n) for a safe character of n
// bytes at i, escape(byte) for each byte of an unsafe or invalid one. Returns
// whether all of `text` was walked.
template <typename Keep, typename Escape>
bool walk(std::string_view text, size_t max_bytes, Keep keep, Escape escape) {
  size_t i = 0;
  while (i < text.size()) {
    uint32_t code_point = 0;
    size_t n = utf8_length(text, i, code_point);
    const bool bad = n == 0 || unsafe(code_point);
    if (n == 0) n = 1;
    if (i + n > max_bytes) return false;
    for (size_t k = 0; k < n; ++k) {
      if (!bad) break;
      escape(static_cast<unsigned char>(text[i + k]));
    }
    if (!bad) keep(i, n);
    i += n;
  }
  return true;
}

}  // namespace

std::string escape_guest_text_utf8(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 8);
  const bool whole = walk(
      text, max_bytes,
      [&](size_t i, size_t n) {
        if (n == 1 && text[i] == '\\')
          out += "\\\\";
        else
          out.append(text.substr(i, n));
      },
      [&](unsigned char c) {
        char hex[5];
        std::snprintf(hex, sizeof hex, "\\x%02x", c);
        out += hex;
      });
  if (!whole) out += "...";
  return out;
}

std::string title_safe_text(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  walk(
      text, max_bytes, [&](size_t i, size_t n) { out.append(text.substr(i, n)); },
      [&](unsigned char) { out += '?'; });
  return out;
}

}  // namespace chrunc
