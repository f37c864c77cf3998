// main() of ch-runc-monitor: the per-container monitor that `create` execs
// (`ch-runc-monitor __monitor ...`) and the host check that `ch-runc check`
// execs (`ch-runc-monitor check`). Not meant to be run by hand.
#include <cstdio>
#include <string_view>

#include "runtime/cli/lifecycle.hpp"
#include "runtime/monitor/host_check.hpp"
#include "runtime/pool/pool_command.hpp"
#include "runtime/pool/standby.hpp"

int main(int argc, char** argv) {
  const std::string_view command = argc > 1 ? argv[1] : "";
  if (command == chrunc::runtime::kMonitorCommand) return chrunc::runtime::monitor_main(argc, argv);
  if (command == chrunc::runtime::pool::kStandbyCommand)
    return chrunc::runtime::pool::standby_main(argc, argv);
  if (command == chrunc::runtime::pool::kPoolCommand)
    return chrunc::runtime::pool::pool_main(argc, argv);
  if (command == chrunc::runtime::kCheckCommand)
    return chrunc::runtime::host_check_main(argc, argv);
  std::fputs("ch-runc-monitor: internal to ch-runc (run by `ch-runc create` and `ch-runc check`)\n",
             stderr);
  return 2;
}
