// ch-runc-dev: the ch-runc CLI (chrunc_cli + chrunc_runtime) with the hidden
// `__monitor` command dispatched before parsing, for the end-to-end tests
// while cmd/main.cpp does not dispatch it yet (see runtime/lifecycle.hpp).
// The e2e script prefers bin/ch-runc whenever that one knows `__monitor`.
#include <cstdio>
#include <exception>
#include <string_view>

#include "cmd/parsed_command.hpp"
#include "common/log.hpp"
#include "runtime/lifecycle.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == chrunc::runtime::kMonitorCommand)
    return chrunc::runtime::monitor_main(argc, argv);
  try {
    auto parsed = chrunc::cmd::parse_command_line(argc, argv);
    chrunc::configure_logging(parsed.global.log_path, parsed.global.log_format,
                              parsed.global.debug);
    int code = chrunc::cmd::run_command(parsed);
    std::fflush(stdout);
    return code;
  } catch (const std::exception& e) {
    chrunc::log_error(e.what());
    if (chrunc::logging_to_file()) std::fprintf(stderr, "%s\n", e.what());
  }
  return 1;
}
