#pragma once
// Internal to cmd/: each command group registers its CLI11 subcommands (which
// fill ParsedCommand once that subcommand is parsed) and runs them.

#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "cmd/parsed_command.hpp"

namespace chrunc::cmd {

// Usage checks with runc's wording: `ch-runc: "state" requires exactly 1 argument(s)`.
void require_exact_args(const std::vector<std::string>& args, const char* command, size_t count);
void require_min_args(const std::vector<std::string>& args, const char* command, size_t count);
void require_max_args(const std::vector<std::string>& args, const char* command, size_t count);

// The positional arguments of a subcommand, collected (CLI11 keeps the vector alive).
CLI::Option* add_arguments(CLI::App& sub, std::vector<std::string>& args);

// For commands whose flags stop at the first argument (exec, ps: what follows
// belongs to the process): sets that up, and once parsed returns the words from
// the container id on, with one `--` before or right after the id dropped.
// Throws `flag provided but not defined: --x` for an unknown flag before the id.
void stop_flags_at_first_argument(CLI::App& sub);
std::vector<std::string> arguments_after_flags(CLI::App& sub);

void add_create_run_commands(CLI::App& app, ParsedCommand& out);
void add_start_command(CLI::App& app, ParsedCommand& out);
void add_kill_command(CLI::App& app, ParsedCommand& out);
void add_delete_command(CLI::App& app, ParsedCommand& out);
void add_state_list_commands(CLI::App& app, ParsedCommand& out);
void add_exec_command(CLI::App& app, ParsedCommand& out);
void add_ps_command(CLI::App& app, ParsedCommand& out);
void add_pause_resume_commands(CLI::App& app, ParsedCommand& out);
void add_events_command(CLI::App& app, ParsedCommand& out);
void add_update_command(CLI::App& app, ParsedCommand& out);
void add_spec_features_commands(CLI::App& app, ParsedCommand& out);
void add_check_command(CLI::App& app, ParsedCommand& out);
void add_pool_command(CLI::App& app, ParsedCommand& out);
void add_checkpoint_restore_commands(CLI::App& app, ParsedCommand& out);

int run_create_run(const ParsedCommand& parsed);
int run_start(const ParsedCommand& parsed);
int run_kill(const ParsedCommand& parsed);
int run_delete(const ParsedCommand& parsed);
int run_state_list(const ParsedCommand& parsed);
int run_exec(const ParsedCommand& parsed);
int run_ps(const ParsedCommand& parsed);
int run_pause_resume(const ParsedCommand& parsed);
int run_events(const ParsedCommand& parsed);
int run_update(const ParsedCommand& parsed);
int run_spec_features(const ParsedCommand& parsed);
int run_check(const ParsedCommand& parsed);
int run_pool(const ParsedCommand& parsed);
int run_checkpoint_restore(const ParsedCommand& parsed);

}  // namespace chrunc::cmd
