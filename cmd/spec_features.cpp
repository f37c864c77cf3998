// `spec` and `features`: runc's spec.go and features.go (no engine needed).
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "cmd/command_groups.hpp"
#include "common/error.hpp"
#include "common/unique_fd.hpp"
#include "oci/default_spec.hpp"
#include "oci/features.hpp"

namespace chrunc::cmd {
namespace {

struct SpecScratch {
  SpecOptions options;
  std::vector<std::string> args;
};

void write_new_config(const std::string& bundle, const std::string& json) {
  const std::string path = bundle.empty() ? "config.json" : bundle + "/config.json";
  if (!bundle.empty() && ::access(bundle.c_str(), F_OK) != 0) throw_errno("chdir " + bundle);
  // O_EXCL: never overwrite an existing config.json (runc refuses too).
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (!fd) {
    if (errno == EEXIST)
      throw Error("File config.json exists. Remove it first to generate a new one");
    throw_errno("create " + path);
  }
  std::string_view rest = json;
  while (!rest.empty()) {
    ssize_t n = ::write(fd.get(), rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write " + path);
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

void add_spec_features_commands(CLI::App& app, ParsedCommand& out) {
  auto s = std::make_shared<SpecScratch>();
  CLI::App* spec = app.add_subcommand("spec", "create a new specification file");
  spec->add_option("-b,--bundle", s->options.bundle, "path to the root of the bundle directory");
  spec->add_flag("--rootless", s->options.rootless,
                 "generate a configuration for a rootless container");
  add_arguments(*spec, s->args);
  spec->callback([s, &out] {
    require_exact_args(s->args, "spec", 0);
    out.command = Command::kSpec;
    out.options = s->options;
  });

  auto feature_args = std::make_shared<std::vector<std::string>>();
  CLI::App* features = app.add_subcommand("features", "show the enabled features");
  add_arguments(*features, *feature_args);
  features->callback([feature_args, &out] {
    require_exact_args(*feature_args, "features", 0);
    out.command = Command::kFeatures;
  });
}

int run_spec_features(const ParsedCommand& parsed) {
  if (parsed.command == Command::kFeatures) {
    std::string json = oci::features_json();
    if (json.empty() || json.back() != '\n') json += '\n';
    std::fwrite(json.data(), 1, json.size(), stdout);
    return 0;
  }
  const auto& o = std::get<SpecOptions>(parsed.options);
  write_new_config(o.bundle, oci::default_spec_json(o.rootless));
  return 0;
}

}  // namespace chrunc::cmd
