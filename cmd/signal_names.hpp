#pragma once
// Signal arguments as runc takes them: a number ("9"), or a name with or
// without the SIG prefix, in any case ("KILL", "sigkill", "SIGTERM").

#include <string>

namespace chrunc::cmd {

// Throws chrunc::Error `unknown signal "FOO"`.
int parse_signal(const std::string& text);

}  // namespace chrunc::cmd
