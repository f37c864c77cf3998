// config.json "process" -> oci::Process.
#include "oci/json_reader.hpp"
#include "oci/parse_parts.hpp"

namespace chrunc::oci::detail {

using json::Node;

static User read_user(const Node& node) {
  User u;
  json::read(node, "uid", u.uid);
  json::read(node, "gid", u.gid);
  json::read(node, "umask", u.umask);
  json::read_array(node, "additionalGids", u.additional_gids,
                   [](const Node& e) { return json::as_integer<uint32_t>(e); });
  json::read(node, "username", u.username);
  return u;
}

static Capabilities read_capabilities(const Node& node) {
  Capabilities c;
  json::read(node, "bounding", c.bounding);
  json::read(node, "effective", c.effective);
  json::read(node, "inheritable", c.inheritable);
  json::read(node, "permitted", c.permitted);
  json::read(node, "ambient", c.ambient);
  return c;
}

static Rlimit read_rlimit(const Node& node) {
  Rlimit r;
  r.type = json::required_string(node, "type");
  json::read(node, "hard", r.hard);
  json::read(node, "soft", r.soft);
  return r;
}

static Scheduler read_scheduler(const Node& node) {
  Scheduler s;
  s.policy = json::required_string(node, "policy");
  json::read(node, "nice", s.nice);
  json::read(node, "priority", s.priority);
  json::read(node, "flags", s.flags);
  json::read(node, "runtime", s.runtime);
  json::read(node, "deadline", s.deadline);
  json::read(node, "period", s.period);
  return s;
}

Process read_process(const Node& node) {
  json::expect_object(node);
  Process p;
  json::read(node, "terminal", p.terminal);
  if (auto m = json::member(node, "consoleSize")) {
    ConsoleSize size;
    json::read(*m, "height", size.height);
    json::read(*m, "width", size.width);
    p.console_size = size;
  }
  if (auto m = json::member(node, "user")) p.user = read_user(*m);
  json::read(node, "args", p.args);
  json::read(node, "commandLine", p.command_line);
  json::read(node, "env", p.env);
  json::read(node, "cwd", p.cwd);
  if (auto m = json::member(node, "capabilities")) p.capabilities = read_capabilities(*m);
  json::read_array(node, "rlimits", p.rlimits, read_rlimit);
  json::read(node, "noNewPrivileges", p.no_new_privileges);
  json::read(node, "apparmorProfile", p.apparmor_profile);
  json::read(node, "oomScoreAdj", p.oom_score_adj);
  json::read(node, "selinuxLabel", p.selinux_label);
  if (auto m = json::member(node, "ioPriority")) {
    IoPriority io;
    io.io_class = json::required_string(*m, "class");
    json::read(*m, "priority", io.priority);
    p.io_priority = io;
  }
  if (auto m = json::member(node, "scheduler")) p.scheduler = read_scheduler(*m);
  return p;
}

}  // namespace chrunc::oci::detail
