# chrunc_store: the state store under --root and the container status queries
# (`state`, `list`); the container's share directory (removed with its
# state). Needs chrunc_oci for the OCI state type.
set(CHRUNC_STORE_SOURCES ${CMAKE_CURRENT_LIST_DIR}/state_store.cpp
                          ${CMAKE_CURRENT_LIST_DIR}/socket_dir.cpp
                          ${CMAKE_CURRENT_LIST_DIR}/container_share.cpp)
if(TARGET chrunc_oci)
  list(APPEND CHRUNC_STORE_SOURCES ${CMAKE_CURRENT_LIST_DIR}/container_status.cpp)
endif()
add_library(chrunc_store STATIC ${CHRUNC_STORE_SOURCES})
target_include_directories(chrunc_store PRIVATE ${RAPIDJSON_INCLUDE_DIRS})
target_link_libraries(chrunc_store PUBLIC chrunc_common)
if(TARGET chrunc_oci)
  target_link_libraries(chrunc_store PUBLIC chrunc_oci)
endif()
