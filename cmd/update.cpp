// `update`: runc's update.go. --resources FILE|- (LinuxResources JSON) or the
// per-field flags; as in runc, the per-field flags are ignored when
// --resources is given (the engine applies that rule).
#include <limits>
#include <map>
#include <memory>

#include "cmd/command_groups.hpp"
#include "cmd/value_parsers.hpp"
#include "common/error.hpp"

namespace chrunc::cmd {
namespace {

struct UpdateScratch {
  UpdateCommandOptions options;
  // Per-field flags as given, converted once parsing is done (flag name -> text).
  std::map<std::string, std::string> values;
  std::vector<std::string> args;
};

void add_value(CLI::App& sub, UpdateScratch& s, const std::string& flag, const std::string& help,
               bool hidden = false) {
  CLI::Option* option = sub.add_option("--" + flag, s.values[flag], help);
  if (hidden) option->group("");
}

std::optional<std::string> given(const UpdateScratch& s, const std::string& flag) {
  auto it = s.values.find(flag);
  if (it == s.values.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

void convert_values(UpdateScratch& s) {
  runtime::UpdateOptions& u = s.options.update;
  auto as_uint = [&](const char* flag, std::optional<uint64_t>& field) {
    if (auto text = given(s, flag)) field = parse_uint64(*text, std::string("--") + flag);
  };
  auto as_int = [&](const char* flag, std::optional<int64_t>& field) {
    if (auto text = given(s, flag)) field = parse_int64(*text, std::string("--") + flag);
  };
  auto as_bytes = [&](const char* flag, std::optional<int64_t>& field) {
    if (auto text = given(s, flag)) field = parse_memory_bytes(*text, std::string("--") + flag);
  };
  as_uint("blkio-weight", u.blkio_weight);
  if (u.blkio_weight && *u.blkio_weight > std::numeric_limits<uint16_t>::max()) {
    throw Error("invalid value \"" + *given(s, "blkio-weight") +
                "\" for --blkio-weight: out of range");
  }
  as_uint("cpu-period", u.cpu_period);
  as_int("cpu-quota", u.cpu_quota);
  as_uint("cpu-share", u.cpu_share);
  as_uint("cpu-rt-period", u.cpu_rt_period);
  as_int("cpu-rt-runtime", u.cpu_rt_runtime);
  if (auto text = given(s, "cpuset-cpus")) u.cpuset_cpus = *text;
  if (auto text = given(s, "cpuset-mems")) u.cpuset_mems = *text;
  as_bytes("memory", u.memory);
  as_bytes("memory-reservation", u.memory_reservation);
  as_bytes("memory-swap", u.memory_swap);
  as_int("pids-limit", u.pids_limit);
  as_bytes("kernel-memory", u.kernel_memory);
  as_bytes("kernel-memory-tcp", u.kernel_memory_tcp);
  if (auto text = given(s, "l3-cache-schema")) s.options.l3_cache_schema = *text;
  if (auto text = given(s, "mem-bw-schema")) s.options.mem_bw_schema = *text;
}

}  // namespace

void add_update_command(CLI::App& app, ParsedCommand& out) {
  auto s = std::make_shared<UpdateScratch>();
  CLI::App* sub = app.add_subcommand("update", "update container resource constraints");
  sub->add_option("-r,--resources", s->options.update.resources_file,
                  "path to the file containing the resources to update or '-' to read from the "
                  "standard input");
  add_value(*sub, *s, "blkio-weight",
            "Specifies per cgroup weight, range is from 10 to 1000 (default: 0)");
  add_value(*sub, *s, "cpu-period",
            "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default");
  add_value(*sub, *s, "cpu-quota",
            "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period");
  add_value(*sub, *s, "cpu-share", "CPU shares (relative weight vs. other containers)");
  add_value(*sub, *s, "cpu-rt-period",
            "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default");
  add_value(*sub, *s, "cpu-rt-runtime",
            "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period");
  add_value(*sub, *s, "cpuset-cpus", "CPU(s) to use");
  add_value(*sub, *s, "cpuset-mems", "Memory node(s) to use");
  add_value(*sub, *s, "memory", "Memory limit (in bytes)");
  add_value(*sub, *s, "memory-reservation", "Memory reservation or soft_limit (in bytes)");
  add_value(*sub, *s, "memory-swap",
            "Total memory usage (memory + swap); set '-1' to enable unlimited swap");
  add_value(*sub, *s, "pids-limit", "Maximum number of pids allowed in the container (default: 0)");
  add_value(*sub, *s, "kernel-memory", "Kernel memory limit (in bytes) (deprecated, ignored)",
            true);
  add_value(*sub, *s, "kernel-memory-tcp",
            "Kernel memory limit (in bytes) for tcp buffer (deprecated, ignored)", true);
  add_value(*sub, *s, "l3-cache-schema", "The string of Intel RDT/CAT L3 cache schema");
  add_value(*sub, *s, "mem-bw-schema", "The string of Intel RDT/MBA memory bandwidth schema");
  add_arguments(*sub, s->args);
  sub->callback([s, &out] {
    require_exact_args(s->args, "update", 1);
    convert_values(*s);
    UpdateCommandOptions options = s->options;
    options.update.id = s->args[0];
    out.command = Command::kUpdate;
    out.options = std::move(options);
  });
}

int run_update(const ParsedCommand& parsed) {
  const auto& o = std::get<UpdateCommandOptions>(parsed.options);
  if (o.update.resources_file.empty()) {
    if (!o.l3_cache_schema.empty()) {
      throw Error("Intel RDT/CAT: l3 cache schema is not supported by ch-runc (no RDT in a VM)");
    }
    if (!o.mem_bw_schema.empty()) {
      throw Error(
          "Intel RDT/MBA: memory bandwidth schema is not supported by ch-runc (no RDT "
          "in a VM)");
    }
  }
  runtime::update_container(parsed.global, o.update);
  return 0;
}

}  // namespace chrunc::cmd
