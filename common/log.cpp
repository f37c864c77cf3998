#include "common/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc {
namespace {

struct LoggerState {
  std::mutex mutex;
  UniqueFd file;  // invalid: stderr
  bool json = false;
  bool debug = false;
};

LoggerState& logger() {
  static LoggerState state;
  return state;
}

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "error";
}

std::string now_rfc3339() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

// Escapes for a JSON string and for logrus' quoted text values alike.
void append_escaped(std::string& out, std::string_view text) {
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\u%04x", c);
          out += hex;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // a logger has nowhere to report its own failure
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

std::string format_log_line(LogLevel level, std::string_view message, std::string_view format,
                            std::string_view time_rfc3339) {
  std::string line;
  if (format == "json") {
    line += R"({"level":")";
    line += level_name(level);
    line += R"(","msg":")";
    append_escaped(line, message);
    line += R"(","time":")";
    line += time_rfc3339;
    line += "\"}\n";
  } else {
    line += "time=\"";
    line += time_rfc3339;
    line += "\" level=";
    line += level_name(level);
    line += " msg=\"";
    append_escaped(line, message);
    line += "\"\n";
  }
  return line;
}

void configure_logging(const std::string& path, const std::string& format, bool debug) {
  if (format != "text" && format != "json") {
    throw Error("unknown log-format \"" + format + "\"");
  }
  UniqueFd file;
  if (!path.empty() && path != "/dev/stderr") {
    file.reset(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    if (!file) throw_errno("open log file " + path);
  }
  LoggerState& state = logger();
  std::lock_guard lock(state.mutex);
  state.file = std::move(file);
  state.json = format == "json";
  state.debug = debug;
}

bool logging_to_file() {
  LoggerState& state = logger();
  std::lock_guard lock(state.mutex);
  return state.file.valid();
}

void log_message(LogLevel level, std::string_view message) {
  LoggerState& state = logger();
  std::lock_guard lock(state.mutex);
  if (level == LogLevel::kDebug && !state.debug) return;
  std::string line = format_log_line(level, message, state.json ? "json" : "text", now_rfc3339());
  write_all(state.file ? state.file.get() : STDERR_FILENO, line);
}

void log_error(std::string_view message) {
  log_message(LogLevel::kError, message);
}
void log_warn(std::string_view message) {
  log_message(LogLevel::kWarn, message);
}
void log_info(std::string_view message) {
  log_message(LogLevel::kInfo, message);
}
void log_debug(std::string_view message) {
  log_message(LogLevel::kDebug, message);
}

}  // namespace chrunc
