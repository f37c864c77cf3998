# The orchestration half of chrunc_container (the security half is security.cmake).
list(APPEND CHRUNC_CONTAINER_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/child_setup.cpp
  ${CMAKE_CURRENT_LIST_DIR}/container_create.cpp
  ${CMAKE_CURRENT_LIST_DIR}/container_impl.cpp
  ${CMAKE_CURRENT_LIST_DIR}/devices.cpp
  ${CMAKE_CURRENT_LIST_DIR}/exec_process.cpp
  ${CMAKE_CURRENT_LIST_DIR}/file_util.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hooks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/init_process.cpp
  ${CMAKE_CURRENT_LIST_DIR}/masked_paths.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mount_options.cpp
  ${CMAKE_CURRENT_LIST_DIR}/namespaces.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pivot_root.cpp
  ${CMAKE_CURRENT_LIST_DIR}/process_exec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rootfs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sync_channel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/terminal.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tree_copy.cpp
)
