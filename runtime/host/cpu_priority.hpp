#pragma once
// The CPU priority of a standby of the warm pool (docs/warm-pool.md). A
// refill boots while the container that claimed its predecessor runs: at
// nice kBackgroundNice it takes the CPU the containers leave. Nice is per
// thread on Linux and children inherit it, so lowering the standby before it
// starts virtiofsd and the VMM covers them all; raising it back at the claim
// walks every thread of each process.

#include <sys/types.h>

namespace chrunc::runtime {

// Low enough that a booting refill gives way (weight 110 against 1024 at
// nice 0), not so low that a boot starves past its deadline on a busy host.
inline constexpr int kBackgroundNice = 10;

// Sets the calling thread's nice value (inherited by the threads and children
// it starts from now on). Throws Error.
void set_own_nice(int nice);

// Sets the nice value of every thread of host process `pid`; threads that
// end meanwhile are skipped. Returns how many were set. Throws Error when the
// process is gone or a thread refuses.
size_t set_process_nice(pid_t pid, int nice);

}  // namespace chrunc::runtime
