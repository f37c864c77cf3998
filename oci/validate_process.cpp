// Validation of "process": args, cwd, capabilities, rlimits, scheduling.
#include <set>

#include "oci/known_names.hpp"
#include "oci/validate_parts.hpp"

namespace chrunc::oci::detail {

namespace {

void validate_capabilities(const Capabilities& caps, Violations& v) {
  auto check = [&](const char* set, const std::vector<std::string>& names) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (!is_known_capability(names[i]))
        v.add(index_path(std::string("process.capabilities.") + set, i),
              "unknown capability " + quoted(names[i]));
    }
  };
  check("bounding", caps.bounding);
  check("effective", caps.effective);
  check("inheritable", caps.inheritable);
  check("permitted", caps.permitted);
  check("ambient", caps.ambient);
}

void validate_rlimits(const std::vector<Rlimit>& rlimits, Violations& v) {
  std::set<std::string> seen;
  for (size_t i = 0; i < rlimits.size(); ++i) {
    const Rlimit& r = rlimits[i];
    std::string base = index_path("process.rlimits", i);
    if (!contains(known_rlimits(), r.type)) {
      v.add(base + ".type", "unknown rlimit " + quoted(r.type));
    } else if (!seen.insert(r.type).second) {
      v.add(base + ".type", "duplicate rlimit " + quoted(r.type));
    }
    if (r.soft > r.hard) v.add(base, "soft limit must not exceed hard limit");
  }
}

void validate_scheduler(const Scheduler& s, Violations& v) {
  if (!contains(known_scheduler_policies(), s.policy))
    v.add("process.scheduler.policy", "unknown policy " + quoted(s.policy));
  for (size_t i = 0; i < s.flags.size(); ++i) {
    if (!contains(known_scheduler_flags(), s.flags[i]))
      v.add(index_path("process.scheduler.flags", i), "unknown flag " + quoted(s.flags[i]));
  }
  if (s.nice && (*s.nice < -20 || *s.nice > 19))
    v.add("process.scheduler.nice", "must be between -20 and 19");
  bool realtime = s.policy == "SCHED_FIFO" || s.policy == "SCHED_RR";
  if (s.priority && *s.priority != 0 && !realtime)
    v.add("process.scheduler.priority", "only valid with SCHED_FIFO or SCHED_RR");
  if (s.policy != "SCHED_DEADLINE") {
    if (s.runtime && *s.runtime != 0)
      v.add("process.scheduler.runtime", "only valid with SCHED_DEADLINE");
    if (s.deadline && *s.deadline != 0)
      v.add("process.scheduler.deadline", "only valid with SCHED_DEADLINE");
    if (s.period && *s.period != 0)
      v.add("process.scheduler.period", "only valid with SCHED_DEADLINE");
  }
}

}  // namespace

void validate_process(const Process& p, Violations& v) {
  if (p.args.empty()) v.add("process.args", "must not be empty");
  if (!is_absolute(p.cwd)) v.add("process.cwd", "must be an absolute path");
  if (p.capabilities) validate_capabilities(*p.capabilities, v);
  validate_rlimits(p.rlimits, v);
  if (p.oom_score_adj && (*p.oom_score_adj < -1000 || *p.oom_score_adj > 1000))
    v.add("process.oomScoreAdj", "must be between -1000 and 1000");
  if (p.io_priority) {
    if (!contains(known_io_priority_classes(), p.io_priority->io_class))
      v.add("process.ioPriority.class", "unknown class " + quoted(p.io_priority->io_class));
    if (p.io_priority->priority < 0 || p.io_priority->priority > 7)
      v.add("process.ioPriority.priority", "must be between 0 and 7");
  }
  if (p.scheduler) validate_scheduler(*p.scheduler, v);
}

}  // namespace chrunc::oci::detail
