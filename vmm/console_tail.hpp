#pragma once
// The guest's last console line, fit for an error message: the console log
// is written by the guest, so the line is bounded and its control characters
// escaped before it reaches a terminal or a log.

#include <filesystem>
#include <string>

namespace chrunc::vmm {

// The last non-empty line of `console_log` (read from its last 8 KiB), at
// most `max_bytes` of it, non-printable bytes as \xNN; "" when none.
std::string console_tail(const std::filesystem::path& console_log, size_t max_bytes = 200);

// `text` with every byte outside printable ASCII written as \xNN and a
// backslash as \\, cut to `max_bytes` of input (then "...").
std::string escape_guest_text(const std::string& text, size_t max_bytes);

}  // namespace chrunc::vmm
