#pragma once
// `ch-runc-monitor check [--reprobe]`, which `ch-runc check` execs: the
// report of what this host can run (vmm::describe_host) with the KVM verdict,
// read from its cache or probed now by booting the guest (hence here, in the
// binary that carries the VMM and agent code, not in the CLI).

namespace chrunc::runtime {

// Prints the report on stdout; returns the exit code. Errors go to stderr
// as one line, exit 1.
int host_check_main(int argc, char** argv);

}  // namespace chrunc::runtime
