#pragma once
// The CLI side of <state dir>/monitor.sock (see control_socket.hpp).
//
// Every wait has a deadline: connecting and sending (kMonitorConnectTimeout),
// and each answer (kMonitorAnswerTimeout unless the call says otherwise). The
// monitor's own agent calls end sooner (agent_client.hpp), so a guest that
// does not answer comes back as the monitor's error naming the call; a
// monitor that does not answer is reported as
// "container <id>: its monitor did not answer within N s". Both are
// chrunc::Errors with errno ETIMEDOUT (EAGAIN for connect/send): is_timeout().

#include <rapidjson/document.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::runtime {

// Compact JSON text of a RapidJSON value.
std::string json_text(const rapidjson::Value& value);
// Parses a response; throws "monitor: invalid response" when it is not an object.
rapidjson::Document parse_control_json(const std::string& text);

inline constexpr std::chrono::milliseconds kMonitorConnectTimeout = std::chrono::seconds(5);
// Longer than the agent's control calls (10 s) with room for the monitor's own work.
inline constexpr std::chrono::milliseconds kMonitorAnswerTimeout = std::chrono::seconds(30);
// For requests whose agent call may take 30 s (start, exec).
inline constexpr std::chrono::milliseconds kMonitorSlowAnswerTimeout = std::chrono::seconds(60);

// Whether `e` is a deadline that ran out (the guest's or the monitor's), not a refusal.
bool is_timeout(const Error& e);

class MonitorClient {
 public:
  // Connects to <state_dir>/monitor.sock; throws when the monitor is not there
  // or does not take the connection within kMonitorConnectTimeout.
  explicit MonitorClient(const std::filesystem::path& state_dir);

  // Sends one request (an object with "command") and returns the first answer,
  // waiting at most `timeout` for it. An answer {"error": "..."} is thrown as
  // chrunc::Error with that text.
  rapidjson::Document call(const rapidjson::Value& request, const std::vector<int>& fds = {},
                           std::chrono::milliseconds timeout = kMonitorAnswerTimeout);
  // The next answer on the same connection (exec's exit status), within `timeout`.
  rapidjson::Document next(std::chrono::milliseconds timeout = kMonitorAnswerTimeout);
  // A further message on the same connection, no answer (exec's "signal" and "resize").
  void send(const rapidjson::Value& message, const std::vector<int>& fds = {});
  int fd() const { return sock_.get(); }

 private:
  std::string container_;  // the id, for errors
  UniqueFd sock_;
};

// A request without arguments, e.g. {"command":"start"}; returns the answer.
rapidjson::Document call_monitor(const std::filesystem::path& state_dir, const char* command,
                                 std::chrono::milliseconds timeout = kMonitorAnswerTimeout);

}  // namespace chrunc::runtime
