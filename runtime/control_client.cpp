#include "runtime/control_client.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/error.hpp"
#include "runtime/control_socket.hpp"
#include "runtime/socket_dir.hpp"

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

MonitorClient::MonitorClient(const std::filesystem::path& state_dir) {
  try {
    sock_ = connect_unix_socket(socket_dir_path(state_dir) / "monitor.sock");
  } catch (const Error& e) {
    throw Error("container monitor is not running (" + std::string(e.what()) + ")", e.sys_errno());
  }
}

rapidjson::Document MonitorClient::call(const rapidjson::Value& request,
                                        const std::vector<int>& fds) {
  send_control_message(sock_.get(), json_text(request), fds);
  return next();
}

void MonitorClient::send(const rapidjson::Value& message) {
  send_control_message(sock_.get(), json_text(message));
}

rapidjson::Document MonitorClient::next() {
  auto message = receive_control_message(sock_.get());
  if (!message) throw Error("container monitor closed the connection without an answer");
  rapidjson::Document doc = parse_control_json(message->json);
  if (doc.HasMember("error") && doc["error"].IsString()) throw Error(doc["error"].GetString());
  return doc;
}

rapidjson::Document call_monitor(const std::filesystem::path& state_dir, const char* command) {
  rapidjson::Document request(rapidjson::kObjectType);
  request.AddMember("command", rapidjson::StringRef(command), request.GetAllocator());
  MonitorClient client(state_dir);
  return client.call(request);
}

}  // namespace chrunc::runtime
