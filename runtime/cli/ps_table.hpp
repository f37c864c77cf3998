#pragma once
// `ch-runc ps` in table format. runc runs the host's ps with the options
// given after the container id and keeps the container's lines; the
// processes of a ch-runc container are in its VM, so ch-runc prints the
// table itself from what the guest reports, understanding the ps options
// that select columns: -o/-O FIELD[,FIELD...] (repeatable), -f (full), and
// -e/-A/-a/-x (accepted: the list is always the whole container).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace chrunc::runtime {

// One process as the guest sees it (pids are guest pids).
struct ProcessRow {
  int pid = 0;
  int ppid = 0;
  uint32_t uid = 0;
  std::string state;       // "S", "R", ...
  uint64_t cpu_ticks = 0;  // utime + stime, in clock ticks
  std::string cmdline;     // arguments joined by spaces, empty for kernel threads
  std::string comm;
};

// How much of each guest string the table shows (bytes of the guest's text,
// before escaping): the kernel's comm, a command line, a state.
constexpr size_t kPsCommBytes = 15;
constexpr size_t kPsCmdlineBytes = 4096;
constexpr size_t kPsStateBytes = 8;

// The ps table for `ps_args`; throws Error naming an unsupported option or
// field. The rows' strings come from the guest: each is cut to its bound
// above and escaped (escape_guest_text_utf8: control characters and bytes
// that are not UTF-8 as \xNN), so the table holds no terminal controls.
std::string format_process_table(const std::vector<ProcessRow>& rows,
                                 const std::vector<std::string>& ps_args, long clock_ticks);

}  // namespace chrunc::runtime
