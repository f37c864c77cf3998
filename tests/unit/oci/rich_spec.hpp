#pragma once
// A config.json that sets every member ch-runc models (used by the round-trip
// tests and as a fuzzing seed).

namespace chrunc::oci::testing {

inline constexpr const char* kRichSpec = R"({
 "ociVersion": "1.2.0",
 "process": {
  "terminal": true, "consoleSize": {"height": 24, "width": 80},
  "user": {"uid": 1000, "gid": 1000, "umask": 18, "additionalGids": [5, 6], "username": "u"},
  "args": ["sh", "-c", "echo \"hi\"\n\u0001"], "commandLine": "cmd", "env": ["PATH=/bin", "Ü=ß"],
  "cwd": "/work",
  "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL", "CAP_CHOWN"],
                   "inheritable": ["CAP_BPF"], "permitted": ["CAP_KILL"], "ambient": []},
  "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 18446744073709551615, "soft": 1024}],
  "noNewPrivileges": true, "apparmorProfile": "ap", "oomScoreAdj": -1000,
  "scheduler": {"policy": "SCHED_DEADLINE", "nice": -5, "priority": 0, "flags": ["SCHED_FLAG_RECLAIM"],
                "runtime": 1, "deadline": 2, "period": 3},
  "selinuxLabel": "sl", "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 4}
 },
 "root": {"path": "/bundle/rootfs", "readonly": true},
 "hostname": "h", "domainname": "d",
 "mounts": [
  {"destination": "/proc", "type": "proc", "source": "proc"},
  {"destination": "/data", "type": "bind", "source": "/srv", "options": ["rbind", "ro"],
   "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
   "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 2}]}
 ],
 "hooks": {
  "prestart": [{"path": "/bin/a", "args": ["a", "1"], "env": ["X=1"], "timeout": 5}],
  "createRuntime": [{"path": "/bin/b"}], "createContainer": [{"path": "/bin/c"}],
  "startContainer": [{"path": "/bin/d"}], "poststart": [{"path": "/bin/e"}],
  "poststop": [{"path": "/bin/f", "timeout": 1}]
 },
 "annotations": {"a": "1", "b.c": ""},
 "linux": {
  "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
  "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
  "sysctl": {"net.ipv4.ip_forward": "1", "kernel.shmmax": "1000"},
  "resources": {
   "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
   "memory": {"limit": 536870912, "reservation": 1, "swap": -1, "kernel": 2, "kernelTCP": 3,
              "swappiness": 60, "disableOOMKiller": false, "useHierarchy": true, "checkBeforeUpdate": true},
   "cpu": {"shares": 1024, "quota": 50000, "burst": 10, "period": 100000, "realtimeRuntime": 1,
           "realtimePeriod": 2, "cpus": "0-1", "mems": "0", "idle": 0},
   "pids": {"limit": -1},
   "blockIO": {"weight": 500, "leafWeight": 300,
               "weightDevice": [{"major": 8, "minor": 0, "weight": 10, "leafWeight": 20}, {"major": 8, "minor": 16}],
               "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 100}],
               "throttleWriteBpsDevice": [{"major": 8, "minor": 0, "rate": 200}],
               "throttleReadIOPSDevice": [{"major": 8, "minor": 0, "rate": 300}],
               "throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": 400}]},
   "hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}],
   "network": {"classID": 7, "priorities": [{"name": "eth0", "priority": 3}]},
   "unified": {"memory.high": "max"}
  },
  "cgroupsPath": "/ch/test",
  "namespaces": [{"type": "pid"}, {"type": "network", "path": "/var/run/netns/x"}, {"type": "ipc"},
                 {"type": "uts"}, {"type": "mount"}, {"type": "user"}, {"type": "cgroup"}, {"type": "time"}],
  "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
              {"path": "/dev/fifo", "type": "p", "major": 0, "minor": 0}],
  "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"],
              "flags": ["SECCOMP_FILTER_FLAG_LOG"], "listenerPath": "/run/l.sock", "listenerMetadata": "m",
              "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                           {"names": ["kill"], "action": "SCMP_ACT_NOTIFY", "errnoRet": 2,
                            "args": [{"index": 1, "value": 9, "valueTwo": 3, "op": "SCMP_CMP_MASKED_EQ"}]}]},
  "rootfsPropagation": "rslave",
  "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"], "mountLabel": "ml",
  "intelRdt": {"closID": "c"},
  "personality": {"domain": "LINUX32", "flags": []},
  "timeOffsets": {"monotonic": {"secs": 10, "nanosecs": 5}, "boottime": {"secs": -3}}
 }
})";

}  // namespace chrunc::oci::testing
