# Process security and resources of the container (owned by the security
# part): rlimits, sysctl, oom_score_adj, capabilities, user, no_new_privs,
# seccomp, I/O priority/scheduler/personality, cgroup v2 (limits, stats,
# freezer, device eBPF program).
list(APPEND CHRUNC_CONTAINER_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/security/file_io.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/security/rlimits.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/security/sysctl.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/security/oom_score.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/security/capabilities.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/security/user.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/security/no_new_privs.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/security/seccomp.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/security/process_attributes.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/security/cgroup.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/security/cgroup_resources.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/security/cgroup_stats.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/security/cgroup_devices.cpp
)
