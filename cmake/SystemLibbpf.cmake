# For targets that talk to the kernel through the system's libbpf (oracle
# tests): our include directory has <bpf/libbpf.h> and <bpf/bpf.h> of its own
# (the libbpf-compatible API of src/libbpf), which would shadow the system's.
#   ebpf_use_system_libbpf(target)
# links the system libbpf and puts a directory whose bpf/ is the system's
# first on the target's include path. Such targets must not link ebpf_libbpf.
include_guard(GLOBAL)

function(ebpf_use_system_libbpf target)
  set(dir ${CMAKE_BINARY_DIR}/system-libbpf-include)
  set(includedir ${LIBBPF_INCLUDEDIR})
  if(NOT includedir)
    set(includedir /usr/include)
  endif()
  if(NOT EXISTS ${dir}/bpf)
    file(MAKE_DIRECTORY ${dir})
    file(CREATE_LINK ${includedir}/bpf ${dir}/bpf SYMBOLIC)
  endif()
  target_include_directories(${target} BEFORE PRIVATE ${dir})
  target_link_libraries(${target} PRIVATE PkgConfig::LIBBPF)
endfunction()
