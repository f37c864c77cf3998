// oci::Spec (top level and process) -> RapidJSON values; text output.
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "oci/spec_json.hpp"
#include "oci/spec_writer.hpp"

namespace chrunc::oci {
namespace detail {

using json::Alloc;
using json::Obj;
using rapidjson::Value;

namespace {

Value user_to_json(const User& u, Alloc& a) {
  return Obj(a)
      .num("uid", u.uid)
      .num("gid", u.gid)
      .num_opt("umask", u.umask)
      .array("additionalGids", u.additional_gids,
             [](uint32_t g, Alloc&) { return json::number_value(g); })
      .str_opt("username", u.username)
      .take();
}

Value capabilities_to_json(const Capabilities& c, Alloc& a) {
  return Obj(a)
      .strings("bounding", c.bounding)
      .strings("effective", c.effective)
      .strings("inheritable", c.inheritable)
      .strings("permitted", c.permitted)
      .strings("ambient", c.ambient)
      .take();
}

Value rlimit_to_json(const Rlimit& r, Alloc& a) {
  return Obj(a).str("type", r.type).num("hard", r.hard).num("soft", r.soft).take();
}

Value scheduler_to_json(const Scheduler& s, Alloc& a) {
  return Obj(a)
      .str("policy", s.policy)
      .num_opt("nice", s.nice)
      .num_opt("priority", s.priority)
      .strings("flags", s.flags)
      .num_opt("runtime", s.runtime)
      .num_opt("deadline", s.deadline)
      .num_opt("period", s.period)
      .take();
}

Value mount_to_json(const Mount& m, Alloc& a) {
  return Obj(a)
      .str("destination", m.destination)
      .str_opt("type", m.type)
      .str_opt("source", m.source)
      .strings("options", m.options)
      .array("uidMappings", m.uid_mappings, id_mapping_to_json)
      .array("gidMappings", m.gid_mappings, id_mapping_to_json)
      .take();
}

Value hook_to_json(const Hook& h, Alloc& a) {
  return Obj(a)
      .str("path", h.path)
      .strings("args", h.args)
      .strings("env", h.env)
      .num_opt("timeout", h.timeout)
      .take();
}

Value hooks_to_json(const Hooks& h, Alloc& a) {
  return Obj(a)
      .array("prestart", h.prestart, hook_to_json)
      .array("createRuntime", h.create_runtime, hook_to_json)
      .array("createContainer", h.create_container, hook_to_json)
      .array("startContainer", h.start_container, hook_to_json)
      .array("poststart", h.poststart, hook_to_json)
      .array("poststop", h.poststop, hook_to_json)
      .take();
}

}  // namespace

Value id_mapping_to_json(const IdMapping& m, Alloc& a) {
  return Obj(a)
      .num("containerID", m.container_id)
      .num("hostID", m.host_id)
      .num("size", m.size)
      .take();
}

Value process_to_json(const Process& p, Alloc& a) {
  Obj o(a);
  o.flag_opt("terminal", p.terminal);
  if (p.console_size) {
    o.add("consoleSize",
          Obj(a).num("height", p.console_size->height).num("width", p.console_size->width).take());
  }
  o.add("user", user_to_json(p.user, a));
  o.strings("args", p.args).str_opt("commandLine", p.command_line).strings("env", p.env);
  o.str("cwd", p.cwd);
  if (p.capabilities) o.add("capabilities", capabilities_to_json(*p.capabilities, a));
  o.array("rlimits", p.rlimits, rlimit_to_json);
  o.flag_opt("noNewPrivileges", p.no_new_privileges);
  o.str_opt("apparmorProfile", p.apparmor_profile);
  o.num_opt("oomScoreAdj", p.oom_score_adj);
  if (p.scheduler) o.add("scheduler", scheduler_to_json(*p.scheduler, a));
  o.str_opt("selinuxLabel", p.selinux_label);
  if (p.io_priority) {
    o.add("ioPriority", Obj(a)
                            .str("class", p.io_priority->io_class)
                            .num("priority", p.io_priority->priority)
                            .take());
  }
  return o.take();
}

Value spec_to_json(const Spec& s, Alloc& a) {
  Obj o(a);
  o.str("ociVersion", s.oci_version);
  if (s.process) o.add("process", process_to_json(*s.process, a));
  if (s.root) {
    o.add("root", Obj(a).str("path", s.root->path).flag_opt("readonly", s.root->readonly).take());
  }
  o.str_opt("hostname", s.hostname).str_opt("domainname", s.domainname);
  o.array("mounts", s.mounts, mount_to_json);
  if (s.hooks) o.add("hooks", hooks_to_json(*s.hooks, a));
  o.map("annotations", s.annotations);
  if (s.linux) o.add("linux", linux_to_json(*s.linux, a));
  return o.take();
}

std::string to_compact(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string to_pretty(const Value& v, char indent_char, unsigned indent_count) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(indent_char, indent_count);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace detail

std::string write_spec(const Spec& spec) {
  rapidjson::Document doc;
  return detail::to_compact(detail::spec_to_json(spec, doc.GetAllocator()));
}

std::string write_process(const Process& process) {
  rapidjson::Document doc;
  return detail::to_compact(detail::process_to_json(process, doc.GetAllocator()));
}

std::string write_resources(const Resources& resources) {
  rapidjson::Document doc;
  return detail::to_compact(detail::resources_to_json(resources, doc.GetAllocator()));
}

}  // namespace chrunc::oci
