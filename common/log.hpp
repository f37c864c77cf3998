#pragma once
// The process-wide logger of ch-runc, configured once from the global flags
// --log, --log-format and --debug. Lines look like runc's (logrus):
//   text: time="2026-11-23T10:00:00Z" level=error msg="container \"x\" does not exist"
//   json: {"level":"error","msg":"container \"x\" does not exist","time":"2026-11-23T10:00:00Z"}
// containerd's shim and podman read the last "error" line of the json file to
// report why the runtime failed. Without a path, lines go to stderr.
// Thread-safe; the file is opened O_APPEND|O_CLOEXEC and each line is one write.

#include <string>
#include <string_view>

namespace chrunc {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// path "" (or "/dev/stderr") logs to stderr; format is "text" or "json".
// Throws chrunc::Error for an unknown format or a file that cannot be opened
// (the previous configuration stays in effect then).
void configure_logging(const std::string& path, const std::string& format, bool debug);

// Whether the log goes to a file (not to stderr).
bool logging_to_file();

void log_error(std::string_view message);
void log_warn(std::string_view message);
void log_info(std::string_view message);
void log_debug(std::string_view message);  // only written with debug on
void log_message(LogLevel level, std::string_view message);

// One formatted line (with trailing newline), as the logger writes it; exposed for tests.
std::string format_log_line(LogLevel level, std::string_view message, std::string_view format,
                            std::string_view time_rfc3339);

}  // namespace chrunc
