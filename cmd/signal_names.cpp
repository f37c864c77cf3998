#include "cmd/signal_names.hpp"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <string_view>

#include "common/error.hpp"

namespace chrunc::cmd {
namespace {

struct SignalName {
  std::string_view name;
  int number;
};

// The Linux signal names Go's unix.SignalNum knows (what runc accepts).
constexpr SignalName kSignals[] = {
    {"SIGABRT", SIGABRT}, {"SIGALRM", SIGALRM}, {"SIGBUS", SIGBUS},       {"SIGCHLD", SIGCHLD},
    {"SIGCLD", SIGCHLD},  {"SIGCONT", SIGCONT}, {"SIGFPE", SIGFPE},       {"SIGHUP", SIGHUP},
    {"SIGILL", SIGILL},   {"SIGINT", SIGINT},   {"SIGIO", SIGIO},         {"SIGIOT", SIGIOT},
    {"SIGKILL", SIGKILL}, {"SIGPIPE", SIGPIPE}, {"SIGPOLL", SIGPOLL},     {"SIGPROF", SIGPROF},
    {"SIGPWR", SIGPWR},   {"SIGQUIT", SIGQUIT}, {"SIGSEGV", SIGSEGV},     {"SIGSTKFLT", SIGSTKFLT},
    {"SIGSTOP", SIGSTOP}, {"SIGSYS", SIGSYS},   {"SIGTERM", SIGTERM},     {"SIGTRAP", SIGTRAP},
    {"SIGTSTP", SIGTSTP}, {"SIGTTIN", SIGTTIN}, {"SIGTTOU", SIGTTOU},     {"SIGURG", SIGURG},
    {"SIGUSR1", SIGUSR1}, {"SIGUSR2", SIGUSR2}, {"SIGVTALRM", SIGVTALRM}, {"SIGWINCH", SIGWINCH},
    {"SIGXCPU", SIGXCPU}, {"SIGXFSZ", SIGXFSZ},
};

// Signal numbers the kernel knows: 0 (existence check) up to SIGRTMAX (64).
constexpr int kMaxSignal = 64;

}  // namespace

int parse_signal(const std::string& text) {
  auto unknown = [&]() { return Error("unknown signal \"" + text + "\"", EINVAL); };
  if (text.empty()) throw unknown();
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (text.size() > 3) throw unknown();
    int number = std::stoi(text);
    if (number > kMaxSignal) throw unknown();
    return number;
  }
  std::string name;
  for (unsigned char c : text) name += static_cast<char>(std::toupper(c));
  if (name.rfind("SIG", 0) != 0) name = "SIG" + name;
  for (const SignalName& signal : kSignals) {
    if (signal.name == name) return signal.number;
  }
  throw unknown();
}

}  // namespace chrunc::cmd
