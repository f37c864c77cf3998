// ch-runc: parse, configure logging, run; every error is caught here once,
// logged once (as runc does: to the --log file in its format, else to stderr)
// and ends the process with exit code 1.
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "cmd/parsed_command.hpp"
#include "common/log.hpp"
#include "runtime/cli/lifecycle.hpp"

namespace {

void report(const std::string& message) {
  chrunc::log_error(message);
  // The log went to a file: the caller still sees the error on stderr, once, plainly.
  if (chrunc::logging_to_file()) std::fprintf(stderr, "%s\n", message.c_str());
}

void configure_best_effort(const chrunc::runtime::GlobalOptions& global) {
  try {
    chrunc::configure_logging(global.log_path, global.log_format, global.debug);
  } catch (const std::exception&) {
    // Keep logging to stderr; the error being reported matters more.
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::fflush(stdout);
  try {
    chrunc::cmd::ParsedCommand parsed = chrunc::cmd::parse_command_line(argc, argv);
    chrunc::configure_logging(parsed.global.log_path, parsed.global.log_format,
                              parsed.global.debug);
    int code = chrunc::cmd::run_command(parsed);
    std::fflush(stdout);
    return code;
  } catch (const chrunc::cmd::UsageError& e) {
    configure_best_effort(e.global());
    report(e.what());
  } catch (const chrunc::ExitStatusError& e) {
    report(e.what());
    return e.status();
  } catch (const std::exception& e) {
    report(e.what());
  }
  return 1;
}
