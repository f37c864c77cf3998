#include <gtest/gtest.h>

#include <csignal>

#include "parse_test_util.hpp"

namespace chrunc::cmd {
namespace {
using testing::parse;
using testing::parse_error;

TEST(ParseCreate, AllFlagsLongForms) {
  ParsedCommand p =
      parse({"create", "--bundle", "/b", "--console-socket", "/s.sock", "--pid-file", "/p.pid",
             "--no-pivot", "--no-new-keyring", "--preserve-fds", "3", "c1"});
  ASSERT_EQ(p.command, Command::kCreate);
  const auto& o = std::get<runtime::CreateOptions>(p.options);
  EXPECT_EQ(o.id, "c1");
  EXPECT_EQ(o.bundle, "/b");
  EXPECT_EQ(o.console_socket, "/s.sock");
  EXPECT_EQ(o.pid_file, "/p.pid");
  EXPECT_TRUE(o.no_pivot);
  EXPECT_TRUE(o.no_new_keyring);
  EXPECT_EQ(o.preserve_fds, 3u);
}

TEST(ParseCreate, DefaultsAndShortBundle) {
  ParsedCommand p = parse({"create", "-b", "bundle", "c1"});
  const auto& o = std::get<runtime::CreateOptions>(p.options);
  EXPECT_EQ(o.bundle, "bundle");
  EXPECT_EQ(o.pid_file, "");
  EXPECT_FALSE(o.no_pivot);
  EXPECT_EQ(o.preserve_fds, 0u);
  EXPECT_EQ(std::get<runtime::CreateOptions>(parse({"create", "c1"}).options).bundle, ".");
  // Flags after the id are accepted too (urfave/cli reorders them).
  EXPECT_EQ(
      std::get<runtime::CreateOptions>(parse({"create", "c1", "--pid-file", "p"}).options).pid_file,
      "p");
}

TEST(ParseCreate, ArgumentCount) {
  EXPECT_EQ(parse_error({"create"}), "ch-runc: \"create\" requires exactly 1 argument(s)");
  EXPECT_EQ(parse_error({"create", "a", "b"}),
            "ch-runc: \"create\" requires exactly 1 argument(s)");
  EXPECT_NE(parse_error({"create", "--preserve-fds", "x", "c"}), "");
  EXPECT_NE(parse_error({"create", "--bundle"}), "");
}

TEST(ParseRun, CreateFlagsPlusRunFlags) {
  ParsedCommand p =
      parse({"run", "-b", "/b", "--console-socket", "s", "-d", "--keep", "--pid-file", "p",
             "--no-subreaper", "--no-pivot", "--no-new-keyring", "--preserve-fds", "2", "r1"});
  ASSERT_EQ(p.command, Command::kRun);
  const auto& o = std::get<runtime::RunOptions>(p.options);
  EXPECT_EQ(o.create.id, "r1");
  EXPECT_EQ(o.create.bundle, "/b");
  EXPECT_EQ(o.create.console_socket, "s");
  EXPECT_EQ(o.create.pid_file, "p");
  EXPECT_TRUE(o.create.no_pivot);
  EXPECT_TRUE(o.create.no_new_keyring);
  EXPECT_EQ(o.create.preserve_fds, 2u);
  EXPECT_TRUE(o.detach);
  EXPECT_TRUE(o.keep);
  EXPECT_TRUE(o.no_subreaper);
  auto d = std::get<runtime::RunOptions>(parse({"run", "--detach", "r"}).options);
  EXPECT_TRUE(d.detach);
  EXPECT_FALSE(d.keep);
  EXPECT_EQ(parse_error({"run"}), "ch-runc: \"run\" requires exactly 1 argument(s)");
}

TEST(ParseIdCommands, StartStatePauseResume) {
  struct Case {
    const char* name;
    Command command;
  };
  for (Case c : {Case{"start", Command::kStart}, Case{"state", Command::kState},
                 Case{"pause", Command::kPause}, Case{"resume", Command::kResume}}) {
    ParsedCommand p = parse({c.name, "abc"});
    EXPECT_EQ(p.command, c.command) << c.name;
    EXPECT_EQ(std::get<IdOptions>(p.options).id, "abc");
    EXPECT_EQ(parse_error({c.name}),
              std::string("ch-runc: \"") + c.name + "\" requires exactly 1 argument(s)");
    EXPECT_EQ(parse_error({c.name, "a", "b"}),
              std::string("ch-runc: \"") + c.name + "\" requires exactly 1 argument(s)");
  }
}

TEST(ParseIdCommands, IdThatIsACommandName) {
  EXPECT_EQ(std::get<IdOptions>(parse({"state", "start"}).options).id, "start");
  auto k = std::get<KillOptions>(parse({"kill", "kill", "KILL"}).options);
  EXPECT_EQ(k.id, "kill");
  EXPECT_EQ(k.signal, SIGKILL);
}

TEST(ParseKill, DefaultSignalIsTerm) {
  ParsedCommand p = parse({"kill", "c"});
  ASSERT_EQ(p.command, Command::kKill);
  const auto& o = std::get<KillOptions>(p.options);
  EXPECT_EQ(o.id, "c");
  EXPECT_EQ(o.signal, SIGTERM);
  EXPECT_FALSE(o.all);
}

TEST(ParseKill, SignalForms) {
  struct Case {
    const char* text;
    int signal;
  };
  for (Case c :
       {Case{"9", SIGKILL}, Case{"15", SIGTERM}, Case{"KILL", SIGKILL}, Case{"SIGKILL", SIGKILL},
        Case{"kill", SIGKILL}, Case{"sigkill", SIGKILL}, Case{"SigHup", SIGHUP},
        Case{"usr1", SIGUSR1}, Case{"WINCH", SIGWINCH}, Case{"0", 0}}) {
    EXPECT_EQ(std::get<KillOptions>(parse({"kill", "c", c.text}).options).signal, c.signal)
        << c.text;
  }
}

TEST(ParseKill, AllFlagAndErrors) {
  EXPECT_TRUE(std::get<KillOptions>(parse({"kill", "--all", "c", "KILL"}).options).all);
  EXPECT_TRUE(std::get<KillOptions>(parse({"kill", "-a", "c"}).options).all);
  EXPECT_TRUE(std::get<KillOptions>(parse({"kill", "c", "KILL", "-a"}).options).all);
  EXPECT_EQ(parse_error({"kill", "c", "FOO"}), "unknown signal \"FOO\"");
  EXPECT_EQ(parse_error({"kill", "c", "SIGFOO"}), "unknown signal \"SIGFOO\"");
  EXPECT_EQ(parse_error({"kill", "c", "99"}), "unknown signal \"99\"");
  EXPECT_EQ(parse_error({"kill"}), "ch-runc: \"kill\" requires a minimum of 1 argument(s)");
  EXPECT_EQ(parse_error({"kill", "c", "KILL", "x"}),
            "ch-runc: \"kill\" requires a maximum of 2 argument(s)");
}

TEST(ParseDelete, Force) {
  auto o = std::get<DeleteOptions>(parse({"delete", "c"}).options);
  EXPECT_EQ(o.id, "c");
  EXPECT_FALSE(o.force);
  EXPECT_TRUE(std::get<DeleteOptions>(parse({"delete", "--force", "c"}).options).force);
  EXPECT_TRUE(std::get<DeleteOptions>(parse({"delete", "-f", "c"}).options).force);
  EXPECT_EQ(parse_error({"delete", "-f"}), "ch-runc: \"delete\" requires exactly 1 argument(s)");
}

TEST(ParseExec, EveryFlag) {
  ParsedCommand p = parse({"exec",
                           "--console-socket",
                           "/s",
                           "--cwd",
                           "/w",
                           "--env",
                           "A=1",
                           "-e",
                           "B=2",
                           "--tty",
                           "--user",
                           "1000:100",
                           "--additional-gids",
                           "10",
                           "-g",
                           "11",
                           "--process",
                           "/p.json",
                           "--detach",
                           "--pid-file",
                           "/pid",
                           "--process-label",
                           "lbl",
                           "--apparmor",
                           "prof",
                           "--no-new-privs",
                           "--cap",
                           "CAP_NET_ADMIN",
                           "-c",
                           "CAP_SYS_TIME",
                           "--preserve-fds",
                           "1",
                           "--ignore-paused",
                           "c1",
                           "sh",
                           "-c",
                           "echo hi"});
  ASSERT_EQ(p.command, Command::kExec);
  const auto& o = std::get<ExecCommandOptions>(p.options).exec;
  EXPECT_EQ(o.id, "c1");
  EXPECT_EQ(o.args, (std::vector<std::string>{"sh", "-c", "echo hi"}));
  EXPECT_EQ(o.console_socket, "/s");
  EXPECT_EQ(o.cwd, "/w");
  EXPECT_EQ(o.env, (std::vector<std::string>{"A=1", "B=2"}));
  EXPECT_TRUE(o.tty);
  EXPECT_EQ(o.user, "1000:100");
  EXPECT_EQ(o.additional_gids, (std::vector<uint32_t>{10, 11}));
  EXPECT_EQ(o.process_file, "/p.json");
  EXPECT_TRUE(o.detach);
  EXPECT_EQ(o.pid_file, "/pid");
  EXPECT_EQ(o.process_label, "lbl");
  EXPECT_EQ(o.apparmor, "prof");
  EXPECT_TRUE(o.no_new_privs);
  EXPECT_EQ(o.caps, (std::vector<std::string>{"CAP_NET_ADMIN", "CAP_SYS_TIME"}));
  EXPECT_EQ(o.preserve_fds, 1u);
  EXPECT_TRUE(o.ignore_paused);
}

TEST(ParseExec, ShortForms) {
  ParsedCommand p = parse({"exec", "-t", "-d", "-u", "0", "-p", "proc.json", "c1"});
  const auto& o = std::get<ExecCommandOptions>(p.options).exec;
  EXPECT_TRUE(o.tty);
  EXPECT_TRUE(o.detach);
  EXPECT_EQ(o.user, "0");
  EXPECT_EQ(o.process_file, "proc.json");
  EXPECT_TRUE(o.args.empty());
}

TEST(ParseExec, ArgumentsAfterIdAreTheProcesses) {
  // Flags after the id belong to the command, not to exec.
  auto o = std::get<ExecCommandOptions>(parse({"exec", "c1", "ls", "-l", "--tty"}).options).exec;
  EXPECT_EQ(o.args, (std::vector<std::string>{"ls", "-l", "--tty"}));
  EXPECT_FALSE(o.tty);
}

TEST(ParseExec, DoubleDash) {
  auto before =
      std::get<ExecCommandOptions>(parse({"exec", "-t", "--", "c1", "ls", "-l"}).options).exec;
  EXPECT_EQ(before.id, "c1");
  EXPECT_TRUE(before.tty);
  EXPECT_EQ(before.args, (std::vector<std::string>{"ls", "-l"}));
  auto after =
      std::get<ExecCommandOptions>(parse({"exec", "c1", "--", "ls", "--", "-l"}).options).exec;
  EXPECT_EQ(after.id, "c1");
  EXPECT_EQ(after.args, (std::vector<std::string>{"ls", "--", "-l"}));
}

TEST(ParseExec, CgroupFlagParsed) {
  auto o =
      std::get<ExecCommandOptions>(parse({"exec", "--cgroup", "cpu:sub", "c1", "true"}).options);
  EXPECT_EQ(o.cgroups, (std::vector<std::string>{"cpu:sub"}));
}

TEST(ParseExec, Errors) {
  EXPECT_EQ(parse_error({"exec"}), "ch-runc: \"exec\" requires a minimum of 1 argument(s)");
  EXPECT_NE(parse_error({"exec", "c1"}).find("args must not be empty"), std::string::npos);
  EXPECT_EQ(parse_error({"exec", "--bogus", "c1", "ls"}), "flag provided but not defined: --bogus");
  EXPECT_NE(parse_error({"exec", "-g", "abc", "c1", "ls"}), "");
}

TEST(ParsePs, FormatAndPsArgs) {
  ParsedCommand p = parse({"ps", "c1"});
  ASSERT_EQ(p.command, Command::kPs);
  EXPECT_EQ(std::get<PsOptions>(p.options).format, "table");
  auto j = std::get<PsOptions>(parse({"ps", "--format", "json", "c1"}).options);
  EXPECT_EQ(j.format, "json");
  EXPECT_EQ(j.id, "c1");
  auto t = std::get<PsOptions>(parse({"ps", "-f", "table", "c1", "-ef", "--forest"}).options);
  EXPECT_EQ(t.id, "c1");
  EXPECT_EQ(t.ps_args, (std::vector<std::string>{"-ef", "--forest"}));
  EXPECT_EQ(parse_error({"ps", "-f", "xml", "c1"}), "invalid format option");
  EXPECT_EQ(parse_error({"ps"}), "ch-runc: \"ps\" requires a minimum of 1 argument(s)");
}

TEST(ParseList, FormatQuiet) {
  ParsedCommand p = parse({"list"});
  ASSERT_EQ(p.command, Command::kList);
  EXPECT_EQ(std::get<ListOptions>(p.options).format, "table");
  EXPECT_FALSE(std::get<ListOptions>(p.options).quiet);
  EXPECT_EQ(std::get<ListOptions>(parse({"list", "--format", "json"}).options).format, "json");
  EXPECT_EQ(std::get<ListOptions>(parse({"list", "-f", "json"}).options).format, "json");
  EXPECT_TRUE(std::get<ListOptions>(parse({"list", "--quiet"}).options).quiet);
  EXPECT_TRUE(std::get<ListOptions>(parse({"list", "-q"}).options).quiet);
  EXPECT_EQ(parse_error({"list", "x"}), "ch-runc: \"list\" requires exactly 0 argument(s)");
  EXPECT_EQ(parse_error({"list", "-f", "yaml"}), "invalid format option");
}

TEST(ParseEvents, StatsAndInterval) {
  auto d = std::get<EventsOptions>(parse({"events", "c"}).options);
  EXPECT_EQ(d.id, "c");
  EXPECT_FALSE(d.stats);
  EXPECT_EQ(d.interval, std::chrono::seconds(5));
  auto o =
      std::get<EventsOptions>(parse({"events", "--stats", "--interval", "1m30s", "c"}).options);
  EXPECT_TRUE(o.stats);
  EXPECT_EQ(o.interval, std::chrono::seconds(90));
  EXPECT_EQ(std::get<EventsOptions>(parse({"events", "--interval=250ms", "c"}).options).interval,
            std::chrono::milliseconds(250));
  EXPECT_EQ(parse_error({"events", "--interval", "0s", "c"}),
            "duration interval must be greater than 0");
  EXPECT_NE(parse_error({"events", "--interval", "5", "c"}), "");
  EXPECT_EQ(parse_error({"events"}), "ch-runc: \"events\" requires exactly 1 argument(s)");
}

TEST(ParseUpdate, ResourcesFileOrStdin) {
  auto o = std::get<UpdateCommandOptions>(parse({"update", "--resources", "-", "c"}).options);
  EXPECT_EQ(o.update.id, "c");
  EXPECT_EQ(o.update.resources_file, "-");
  EXPECT_EQ(std::get<UpdateCommandOptions>(parse({"update", "-r", "/r.json", "c"}).options)
                .update.resources_file,
            "/r.json");
}

TEST(ParseUpdate, EveryPerFieldFlag) {
  auto o = std::get<UpdateCommandOptions>(parse({"update",
                                                 "--blkio-weight",
                                                 "500",
                                                 "--cpu-period",
                                                 "100000",
                                                 "--cpu-quota",
                                                 "-1",
                                                 "--cpu-share",
                                                 "512",
                                                 "--cpu-rt-period",
                                                 "1000000",
                                                 "--cpu-rt-runtime",
                                                 "950000",
                                                 "--cpuset-cpus",
                                                 "0-1",
                                                 "--cpuset-mems",
                                                 "0",
                                                 "--memory",
                                                 "512m",
                                                 "--memory-reservation",
                                                 "256M",
                                                 "--memory-swap=-1",
                                                 "--pids-limit",
                                                 "100",
                                                 "--kernel-memory",
                                                 "1g",
                                                 "--kernel-memory-tcp",
                                                 "64k",
                                                 "--l3-cache-schema",
                                                 "L3:0=ff",
                                                 "--mem-bw-schema",
                                                 "MB:0=70",
                                                 "c"})
                                              .options);
  const runtime::UpdateOptions& u = o.update;
  EXPECT_EQ(u.id, "c");
  EXPECT_EQ(u.blkio_weight, 500u);
  EXPECT_EQ(u.cpu_period, 100000u);
  EXPECT_EQ(u.cpu_quota, -1);
  EXPECT_EQ(u.cpu_share, 512u);
  EXPECT_EQ(u.cpu_rt_period, 1000000u);
  EXPECT_EQ(u.cpu_rt_runtime, 950000);
  EXPECT_EQ(u.cpuset_cpus, "0-1");
  EXPECT_EQ(u.cpuset_mems, "0");
  EXPECT_EQ(u.memory, 512LL << 20);
  EXPECT_EQ(u.memory_reservation, 256LL << 20);
  EXPECT_EQ(u.memory_swap, -1);
  EXPECT_EQ(u.pids_limit, 100);
  EXPECT_EQ(u.kernel_memory, 1LL << 30);
  EXPECT_EQ(u.kernel_memory_tcp, 64LL << 10);
  EXPECT_EQ(o.l3_cache_schema, "L3:0=ff");
  EXPECT_EQ(o.mem_bw_schema, "MB:0=70");
  EXPECT_TRUE(u.resources_file.empty());
}

TEST(ParseUpdate, UnsetFieldsStayUnset) {
  auto u =
      std::get<UpdateCommandOptions>(parse({"update", "--memory", "1024", "c"}).options).update;
  EXPECT_EQ(u.memory, 1024);
  EXPECT_FALSE(u.cpu_quota);
  EXPECT_FALSE(u.pids_limit);
  EXPECT_FALSE(u.blkio_weight);
  EXPECT_TRUE(u.cpuset_cpus.empty());
}

TEST(ParseUpdate, BadValues) {
  EXPECT_EQ(parse_error({"update", "--memory", "lots", "c"}),
            "invalid value \"lots\" for --memory: expected a size such as 512m or 1g");
  EXPECT_EQ(parse_error({"update", "--cpu-share", "-5", "c"}),
            "invalid value \"-5\" for --cpu-share: not an unsigned integer");
  EXPECT_EQ(parse_error({"update", "--blkio-weight", "70000", "c"}),
            "invalid value \"70000\" for --blkio-weight: out of range");
  EXPECT_EQ(parse_error({"update"}), "ch-runc: \"update\" requires exactly 1 argument(s)");
}

TEST(ParseSpec, BundleRootless) {
  ParsedCommand p = parse({"spec"});
  ASSERT_EQ(p.command, Command::kSpec);
  EXPECT_EQ(std::get<SpecOptions>(p.options).bundle, "");
  EXPECT_FALSE(std::get<SpecOptions>(p.options).rootless);
  auto o = std::get<SpecOptions>(parse({"spec", "--bundle", "/b", "--rootless"}).options);
  EXPECT_EQ(o.bundle, "/b");
  EXPECT_TRUE(o.rootless);
  EXPECT_EQ(std::get<SpecOptions>(parse({"spec", "-b", "x"}).options).bundle, "x");
  EXPECT_EQ(parse_error({"spec", "extra"}), "ch-runc: \"spec\" requires exactly 0 argument(s)");
}

TEST(ParseFeatures, NoArguments) {
  EXPECT_EQ(parse({"features"}).command, Command::kFeatures);
  EXPECT_EQ(parse_error({"features", "x"}), "ch-runc: \"features\" requires exactly 0 argument(s)");
}

TEST(ParseCheckpoint, EveryFlag) {
  ParsedCommand p = parse({"checkpoint",
                           "--image-path",
                           "/img",
                           "--work-path",
                           "/work",
                           "--parent-path",
                           "../parent",
                           "--leave-running",
                           "--tcp-established",
                           "--ext-unix-sk",
                           "--shell-job",
                           "--lazy-pages",
                           "--status-fd",
                           "5",
                           "--page-server",
                           "10.0.0.1:27",
                           "--file-locks",
                           "--pre-dump",
                           "--manage-cgroups-mode",
                           "full",
                           "--empty-ns",
                           "network",
                           "--auto-dedup",
                           "c"});
  ASSERT_EQ(p.command, Command::kCheckpoint);
  const auto& o = std::get<CheckpointOptions>(p.options);
  EXPECT_EQ(o.id, "c");
  EXPECT_EQ(o.image_path, "/img");
  EXPECT_EQ(o.work_path, "/work");
  EXPECT_EQ(o.parent_path, "../parent");
  EXPECT_TRUE(o.leave_running && o.tcp_established && o.ext_unix_sk && o.shell_job &&
              o.lazy_pages && o.file_locks && o.pre_dump && o.auto_dedup);
  EXPECT_EQ(o.status_fd, 5);
  EXPECT_EQ(o.page_server, "10.0.0.1:27");
  EXPECT_EQ(o.manage_cgroups_mode, "full");
  EXPECT_EQ(o.empty_ns, (std::vector<std::string>{"network"}));
}

TEST(ParseRestore, EveryFlag) {
  ParsedCommand p = parse({"restore",
                           "--console-socket",
                           "/s",
                           "--image-path",
                           "/img",
                           "--work-path",
                           "/w",
                           "--tcp-established",
                           "--ext-unix-sk",
                           "--shell-job",
                           "--file-locks",
                           "--manage-cgroups-mode",
                           "soft",
                           "-b",
                           "/b",
                           "-d",
                           "--pid-file",
                           "/p",
                           "--no-subreaper",
                           "--no-pivot",
                           "--empty-ns",
                           "network",
                           "--auto-dedup",
                           "--lazy-pages",
                           "--lsm-profile",
                           "apparmor:x",
                           "--lsm-mount-context",
                           "ctx",
                           "c"});
  ASSERT_EQ(p.command, Command::kRestore);
  const auto& o = std::get<RestoreOptions>(p.options);
  EXPECT_EQ(o.id, "c");
  EXPECT_EQ(o.console_socket, "/s");
  EXPECT_EQ(o.image_path, "/img");
  EXPECT_EQ(o.work_path, "/w");
  EXPECT_TRUE(o.tcp_established && o.ext_unix_sk && o.shell_job && o.file_locks && o.detach &&
              o.no_subreaper && o.no_pivot && o.auto_dedup && o.lazy_pages);
  EXPECT_EQ(o.manage_cgroups_mode, "soft");
  EXPECT_EQ(o.bundle, "/b");
  EXPECT_EQ(o.pid_file, "/p");
  EXPECT_EQ(o.empty_ns, (std::vector<std::string>{"network"}));
  EXPECT_EQ(o.lsm_profile, "apparmor:x");
  EXPECT_EQ(o.lsm_mount_context, "ctx");
}

TEST(ParsePool, VerbsAndWait) {
  ParsedCommand p = parse({"pool", "status"});
  ASSERT_EQ(p.command, Command::kPool);
  EXPECT_EQ(std::get<PoolOptions>(p.options).verb, "status");
  EXPECT_FALSE(std::get<PoolOptions>(p.options).wait);
  p = parse({"pool", "fill", "--wait"});
  EXPECT_EQ(std::get<PoolOptions>(p.options).verb, "fill");
  EXPECT_TRUE(std::get<PoolOptions>(p.options).wait);
  EXPECT_EQ(std::get<PoolOptions>(parse({"pool", "drain"}).options).verb, "drain");
  EXPECT_NE(parse_error({"pool", "refill"}).find("unknown pool command \"refill\""),
            std::string::npos);
  EXPECT_NE(parse_error({"pool", "drain", "--wait"}).find("--wait goes with fill only"),
            std::string::npos);
  EXPECT_NE(parse_error({"pool"}).find("requires exactly 1 argument"), std::string::npos);
}

}  // namespace
}  // namespace chrunc::cmd
