#pragma once
// `ch-runc pool status|fill [--wait]|drain` (man/ch-runc-pool.8.md), run by
// ch-runc-monitor (`ch-runc-monitor pool ...`): filling resolves the host's
// VMM, which the ch-runc CLI carries no code for.
//
//   status  reaps dead standbys, then prints the pool: its size and shape,
//           how many standbys are ready, booting and claimed, one line each
//   fill    reaps dead standbys and starts (detached) as many as the pool
//           lacks; --wait waits until none is booting; --quiet prints
//           nothing; --refill (what create starts) does nothing after a
//           drain until the next plain fill
//   drain   kills every standby not claimed by a container, and removes it;
//           refills stop until the next fill

namespace chrunc::runtime::pool {

inline constexpr const char* kPoolCommand = "pool";

// main() of `ch-runc-monitor pool ...`.
int pool_main(int argc, char** argv);

}  // namespace chrunc::runtime::pool
