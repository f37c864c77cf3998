#pragma once
// Text the guest chose (process names and command lines, console bytes) on
// its way to a terminal, a log line or a host process title. The guest is
// untrusted: such text is bounded first, then stripped of what a terminal
// would act on -- C0 and C1 control characters, DEL, bidirectional overrides
// -- and of bytes that are not UTF-8. Valid, printable UTF-8 passes as is.

#include <cstddef>
#include <string>
#include <string_view>

namespace chrunc {

// At most `max_bytes` of `text`, ending before any escape would be needed:
// control characters and invalid bytes written as \xNN (each byte), a
// backslash as \\; when `text` is longer than `max_bytes`, "..." follows.
// The cut is made on the input, never inside a UTF-8 character, so the
// result is at most 4 * max_bytes + 3 bytes.
std::string escape_guest_text_utf8(std::string_view text, size_t max_bytes);

// The same judgment, byte for byte: every byte escape_guest_text_utf8 would
// escape becomes '?', and the result is cut to `max_bytes` (never inside a
// UTF-8 character). For host process titles (argv, comm): their length stays
// what the kernel allows, and the host's ps shows no terminal controls.
std::string title_safe_text(std::string_view text, size_t max_bytes);

}  // namespace chrunc
