#include "vmm/cloudhypervisor/api_json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/error.hpp"

namespace chrunc::vmm::ch {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}
void put_if(Writer& w, const char* key, const std::string& value) {
  if (!value.empty()) put(w, key, value);
}
void put(Writer& w, const char* key, uint64_t value) {
  w.Key(key);
  w.Uint64(value);
}
void put(Writer& w, const char* key, bool value) {
  w.Key(key);
  w.Bool(value);
}

void write(Writer& w, const PayloadConfig& p) {
  w.StartObject();
  put_if(w, "kernel", p.kernel);
  put_if(w, "initramfs", p.initramfs);
  put_if(w, "cmdline", p.cmdline);
  w.EndObject();
}

void write(Writer& w, const CpusConfig& c) {
  w.StartObject();
  put(w, "boot_vcpus", uint64_t{c.boot_vcpus});
  put(w, "max_vcpus", uint64_t{c.max_vcpus});
  w.EndObject();
}

void write(Writer& w, const MemoryConfig& m) {
  w.StartObject();
  put(w, "size", m.size);
  put(w, "shared", m.shared);
  if (m.hotplug_size) put(w, "hotplug_size", *m.hotplug_size);
  w.EndObject();
}

void write(Writer& w, const ConsoleConfig& c) {
  w.StartObject();
  put(w, "mode", c.mode);
  put_if(w, "file", c.file);
  put_if(w, "socket", c.socket);
  w.EndObject();
}

void write(Writer& w, const FsConfig& f) {
  w.StartObject();
  put(w, "tag", f.tag);
  put(w, "socket", f.socket);
  put(w, "num_queues", uint64_t{f.num_queues});
  put(w, "queue_size", uint64_t{f.queue_size});
  put_if(w, "id", f.id);
  w.EndObject();
}

void write(Writer& w, const DiskConfig& d) {
  w.StartObject();
  put(w, "path", d.path);
  put(w, "readonly", d.readonly);
  if (d.direct) put(w, "direct", true);
  put_if(w, "id", d.id);
  put_if(w, "serial", d.serial);
  w.EndObject();
}

void write(Writer& w, const NetConfig& n) {
  w.StartObject();
  put_if(w, "tap", n.tap);
  put_if(w, "mac", n.mac);
  if (n.mtu) put(w, "mtu", uint64_t{*n.mtu});
  put_if(w, "id", n.id);
  w.EndObject();
}

void write(Writer& w, const VsockConfig& v) {
  w.StartObject();
  put(w, "cid", v.cid);
  put(w, "socket", v.socket);
  w.EndObject();
}

template <typename T>
void write_array(Writer& w, const char* key, const std::vector<T>& items) {
  if (items.empty()) return;
  w.Key(key);
  w.StartArray();
  for (const auto& item : items) write(w, item);
  w.EndArray();
}

template <typename F>
std::string build(F&& body) {
  rapidjson::StringBuffer out;
  Writer w(out);
  body(w);
  return std::string(out.GetString(), out.GetSize());
}

rapidjson::Document parse_object(const std::string& body, const std::string& endpoint) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError() || !doc.IsObject())
    throw Error("cloud-hypervisor " + endpoint + ": malformed reply: " + body.substr(0, 200));
  return doc;
}

std::string string_member(const rapidjson::Value& v, const char* key) {
  return v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "";
}

}  // namespace

std::string to_json(const VmCreateConfig& c) {
  return build([&](Writer& w) {
    w.StartObject();
    w.Key("payload");
    write(w, c.payload);
    w.Key("cpus");
    write(w, c.cpus);
    w.Key("memory");
    write(w, c.memory);
    w.Key("serial");
    write(w, c.serial);
    w.Key("console");
    write(w, c.console);
    write_array(w, "fs", c.fs);
    write_array(w, "disks", c.disks);
    write_array(w, "net", c.net);
    if (c.vsock) {
      w.Key("vsock");
      write(w, *c.vsock);
    }
    w.EndObject();
  });
}

std::string to_json(const FsConfig& fs) {
  return build([&](Writer& w) { write(w, fs); });
}
std::string to_json(const DiskConfig& disk) {
  return build([&](Writer& w) { write(w, disk); });
}
std::string to_json(const NetConfig& net) {
  return build([&](Writer& w) { write(w, net); });
}

std::string to_json(const VmResize& r) {
  return build([&](Writer& w) {
    w.StartObject();
    if (r.desired_vcpus) put(w, "desired_vcpus", uint64_t{*r.desired_vcpus});
    if (r.desired_ram) put(w, "desired_ram", *r.desired_ram);
    if (r.desired_balloon) put(w, "desired_balloon", *r.desired_balloon);
    w.EndObject();
  });
}

std::string to_json(const RestoreConfig& r) {
  return build([&](Writer& w) {
    w.StartObject();
    put(w, "source_url", r.source_url);
    if (r.prefault) put(w, "prefault", *r.prefault);
    if (r.resume) put(w, "resume", *r.resume);
    w.EndObject();
  });
}

std::string remove_device_json(const std::string& id) {
  return build([&](Writer& w) {
    w.StartObject();
    put(w, "id", id);
    w.EndObject();
  });
}

std::string snapshot_json(const std::string& destination_url) {
  return build([&](Writer& w) {
    w.StartObject();
    put(w, "destination_url", destination_url);
    w.EndObject();
  });
}

PingReply parse_ping(const std::string& body, const std::string& endpoint) {
  auto doc = parse_object(body, endpoint);
  PingReply reply;
  reply.version = string_member(doc, "version");
  reply.build_version = string_member(doc, "build_version");
  if (doc.HasMember("pid") && doc["pid"].IsInt64()) reply.pid = doc["pid"].GetInt64();
  return reply;
}

VmInfoReply parse_vm_info(const std::string& body, const std::string& endpoint) {
  auto doc = parse_object(body, endpoint);
  VmInfoReply reply;
  reply.state = string_member(doc, "state");
  if (reply.state.empty()) throw Error("cloud-hypervisor " + endpoint + ": reply without a state");
  if (doc.HasMember("config") && doc["config"].IsObject()) {
    const auto& config = doc["config"];
    if (config.HasMember("cpus") && config["cpus"].IsObject() &&
        config["cpus"].HasMember("boot_vcpus") && config["cpus"]["boot_vcpus"].IsUint())
      reply.boot_vcpus = config["cpus"]["boot_vcpus"].GetUint();
    if (config.HasMember("memory") && config["memory"].IsObject() &&
        config["memory"].HasMember("size") && config["memory"]["size"].IsUint64())
      reply.memory_size = config["memory"]["size"].GetUint64();
  }
  if (doc.HasMember("memory_actual_size") && doc["memory_actual_size"].IsUint64())
    reply.memory_actual_size = doc["memory_actual_size"].GetUint64();
  return reply;
}

PciDeviceInfo parse_pci_device_info(const std::string& body, const std::string& endpoint) {
  auto doc = parse_object(body, endpoint);
  return {string_member(doc, "id"), string_member(doc, "bdf")};
}

}  // namespace chrunc::vmm::ch
