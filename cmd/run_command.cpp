// One command of a parsed command line, dispatched to its group.
#include <cstdio>

#include "cmd/command_groups.hpp"

namespace chrunc::cmd {

int run_command(const ParsedCommand& parsed) {
  switch (parsed.command) {
    case Command::kHelp:
    case Command::kVersion:
      std::fwrite(parsed.output.data(), 1, parsed.output.size(), stdout);
      return 0;
    case Command::kCreate:
    case Command::kRun:
      return run_create_run(parsed);
    case Command::kStart:
      return run_start(parsed);
    case Command::kKill:
      return run_kill(parsed);
    case Command::kDelete:
      return run_delete(parsed);
    case Command::kState:
    case Command::kList:
      return run_state_list(parsed);
    case Command::kExec:
      return run_exec(parsed);
    case Command::kPs:
      return run_ps(parsed);
    case Command::kPause:
    case Command::kResume:
      return run_pause_resume(parsed);
    case Command::kEvents:
      return run_events(parsed);
    case Command::kUpdate:
      return run_update(parsed);
    case Command::kSpec:
    case Command::kFeatures:
      return run_spec_features(parsed);
    case Command::kCheck:
      return run_check(parsed);
    case Command::kPool:
      return run_pool(parsed);
    case Command::kCheckpoint:
    case Command::kRestore:
      return run_checkpoint_restore(parsed);
  }
  return 1;
}

}  // namespace chrunc::cmd
