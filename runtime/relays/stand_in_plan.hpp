#pragma once
// The pure part of the guest-process stand-ins (runtime/relays/stand_ins.hpp): what
// a stand-in shows of its guest process, and which stand-ins to end and to
// start when the agent sends a new list of the container's processes.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace chrunc::runtime {

// One process of the container as the guest sees it (from ListProcesses).
// Everything in it is the guest's word: bound_guest_process() cuts it to
// size as it arrives, before it is compared, stored or shown.
struct GuestProcess {
  pid_t pid = 0;
  uint64_t start_time_ticks = 0;  // with pid, tells a reused pid apart
  uint32_t uid = 0, gid = 0;      // shown by `ch-runc ps` only, never a host id
  std::string comm;
  std::vector<std::string> argv;
  bool operator==(const GuestProcess&) const = default;
};

// At most this many stand-ins (the lowest guest pids): a fork bomb in the
// guest must not become one on the host.
constexpr size_t kMaxStandIns = 512;
// At most this much command line (whole arguments, each with its NUL) is
// kept of a guest process: what a host process title shows.
constexpr size_t kMaxStandInArgvBytes = 4096;
// The kernel's comm: 16 bytes with the NUL.
constexpr size_t kMaxCommBytes = 15;

// `process` cut to the bounds above: comm to kMaxCommBytes, argv to whole
// arguments within kMaxStandInArgvBytes (at least the first, shortened).
void bound_guest_process(GuestProcess& process);

// The argv a stand-in is exec'd with: the guest's (bounded as above), each
// byte a terminal would act on shown as '?' (title_safe_text), or "[comm]"
// when the guest has none (a zombie), as ps shows such a process.
std::vector<std::string> stand_in_argv(const GuestProcess& process);

// The first message to a stand-in: "<uid> <gid> <comm>": the one host
// identity every stand-in takes (runtime/relays/stand_in_user.hpp), never the
// guest's ids, and the guest's comm cut to the kernel's 15 bytes, made title-safe.
std::string stand_in_identity(const GuestProcess& process, uint32_t host_uid, uint32_t host_gid);

struct StandInPlan {
  std::vector<pid_t> end;           // guest pids whose stand-in goes (gone or changed)
  std::vector<GuestProcess> start;  // processes that get a (new) stand-in
};

// `current`: the guest processes that have a stand-in, by guest pid;
// `listed`: the container's processes now. A process whose start time, ids,
// name or argv changed (an exec) is ended and started again.
StandInPlan plan_stand_ins(const std::map<pid_t, GuestProcess>& current,
                           const std::vector<GuestProcess>& listed);

}  // namespace chrunc::runtime
