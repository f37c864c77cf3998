#include "runtime/cli/control_client.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cerrno>

#include "common/error.hpp"
#include "runtime/monitor/control_socket.hpp"
#include "runtime/store/socket_dir.hpp"

namespace chrunc::runtime {

std::string json_text(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

rapidjson::Document parse_control_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject())
    throw Error("monitor: invalid message: " + text.substr(0, 80));
  return doc;
}

bool is_timeout(const Error& e) {
  return e.sys_errno() == EAGAIN || e.sys_errno() == EWOULDBLOCK || e.sys_errno() == ETIMEDOUT;
}

namespace {

std::string whole_seconds(std::chrono::milliseconds timeout) {
  return std::to_string(std::chrono::ceil<std::chrono::seconds>(timeout).count()) + " s";
}

}  // namespace

MonitorClient::MonitorClient(const std::filesystem::path& state_dir)
    : container_(state_dir.filename().string()) {
  try {
    sock_ =
        connect_unix_socket(socket_dir_path(state_dir) / "monitor.sock", kMonitorConnectTimeout);
  } catch (const Error& e) {
    if (is_timeout(e))
      throw Error("container " + container_ + ": its monitor did not take the connection within " +
                      whole_seconds(kMonitorConnectTimeout),
                  e.sys_errno());
    throw Error("container monitor is not running (" + std::string(e.what()) + ")", e.sys_errno());
  }
}

rapidjson::Document MonitorClient::call(const rapidjson::Value& request,
                                        const std::vector<int>& fds,
                                        std::chrono::milliseconds timeout) {
  send(request, fds);
  return next(timeout);
}

void MonitorClient::send(const rapidjson::Value& message, const std::vector<int>& fds) {
  try {
    send_control_message(sock_.get(), json_text(message), fds);
  } catch (const Error& e) {
    if (!is_timeout(e)) throw;
    throw Error("container " + container_ + ": its monitor did not take the request within " +
                    whole_seconds(kMonitorConnectTimeout),
                e.sys_errno());
  }
}

rapidjson::Document MonitorClient::next(std::chrono::milliseconds timeout) {
  std::optional<ControlMessage> message;
  try {
    message = receive_control_message(sock_.get(), timeout);
  } catch (const Error& e) {
    if (!is_timeout(e)) throw;
    throw Error(
        "container " + container_ + ": its monitor did not answer within " + whole_seconds(timeout),
        e.sys_errno());
  }
  if (!message) throw Error("container monitor closed the connection without an answer");
  rapidjson::Document doc = parse_control_json(message->json);
  if (doc.HasMember("error") && doc["error"].IsString()) {
    bool deadline = doc.HasMember("timedOut") && doc["timedOut"].IsTrue();
    throw Error(doc["error"].GetString(), deadline ? ETIMEDOUT : 0);
  }
  return doc;
}

rapidjson::Document call_monitor(const std::filesystem::path& state_dir, const char* command,
                                 std::chrono::milliseconds timeout) {
  rapidjson::Document request(rapidjson::kObjectType);
  request.AddMember("command", rapidjson::StringRef(command), request.GetAllocator());
  MonitorClient client(state_dir);
  return client.call(request, {}, timeout);
}

}  // namespace chrunc::runtime
