# Build-time verification and native modules for eBPF C programs.
#
#   find_package(ebpf-native)        # installed: lib/cmake/ebpf-native includes this file
#   # or, from a source tree: list(APPEND CMAKE_MODULE_PATH <ebpf-native>/cmake) + include(EbpfProgram)
#   ebpf_add_program(NAME hello SOURCES hello.bpf.c [SECTION s] [INCLUDE_DIRS d...] [NO_MODULE])
#
# compiles the eBPF C with `clang -target bpf -O2 -g` into
# ${CMAKE_CURRENT_BINARY_DIR}/NAME.o, then runs `ebpf build` on it: verify →
# bpf2c → cc → ${CMAKE_CURRENT_BINARY_DIR}/NAME.so. A verification failure
# fails the build with the verifier's `prog.c:LINE:COL: error: ...` so IDEs
# jump to the line. The target NAME builds both; its properties
# EBPF_OBJECT and EBPF_MODULE hold the two paths. NO_MODULE stops after the
# verification (`ebpf verify`) and builds no .so.
#
# The `ebpf` tool: the target `ebpf` inside the ebpf-native tree, the
# installed package's `ebpf` after find_package(ebpf-native), otherwise
# ${EBPF_TOOL} or `ebpf` on PATH. The module compiler is $CC (default cc).
# In a cross build (the `aarch64` preset) the in-tree `ebpf` is the target's
# program: it runs under CMAKE_CROSSCOMPILING_EMULATOR and builds the modules
# with `--target ${CMAKE_LIBRARY_ARCHITECTURE}` (the target's cross compiler).
#
# -DEBPF_BUILD_SERVER=https://HOST:PORT builds the modules through an `ebpf
# serve` service instead (`ebpf submit`: verified, built and signed there;
# a rejection fails the build with the same diagnostics). With it:
# EBPF_BUILD_TOKEN_FILE (bearer token), EBPF_BUILD_CACERT (the server's CA),
# EBPF_BUILD_CLIENT_CERT/EBPF_BUILD_CLIENT_KEY (mTLS). Each module's build
# report lands next to it as NAME.so.json. See docs/service.md.
# clang is looked for at the first ebpf_add_program, so find_package works on
# hosts that only link the library.
include_guard(GLOBAL)

set(EBPF_BUILD_SERVER "" CACHE STRING "URL of an `ebpf serve` service that builds and signs the modules (empty: build locally)")
set(EBPF_BUILD_TOKEN_FILE "" CACHE FILEPATH "bearer token file for EBPF_BUILD_SERVER")
set(EBPF_BUILD_CACERT "" CACHE FILEPATH "CA certificates for EBPF_BUILD_SERVER's TLS certificate")
set(EBPF_BUILD_CLIENT_CERT "" CACHE FILEPATH "TLS client certificate for EBPF_BUILD_SERVER")
set(EBPF_BUILD_CLIENT_KEY "" CACHE FILEPATH "TLS client key for EBPF_BUILD_SERVER")

function(_ebpf_program_tool out)
  set(_ebpf_tool_cross_flags "" PARENT_SCOPE)
  if(TARGET ebpf)
    if(CMAKE_CROSSCOMPILING AND CMAKE_CROSSCOMPILING_EMULATOR)
      # The target's `ebpf` under the emulator; modules for the target.
      set(${out} ${CMAKE_CROSSCOMPILING_EMULATOR} $<TARGET_FILE:ebpf> PARENT_SCOPE)
      if(CMAKE_LIBRARY_ARCHITECTURE)
        set(_ebpf_tool_cross_flags --target ${CMAKE_LIBRARY_ARCHITECTURE} PARENT_SCOPE)
      endif()
    else()
      set(${out} $<TARGET_FILE:ebpf> PARENT_SCOPE)
    endif()
    set(_ebpf_tool_target ebpf PARENT_SCOPE)
  elseif(TARGET ebpf-native::ebpf AND NOT EBPF_TOOL)
    set(${out} $<TARGET_FILE:ebpf-native::ebpf> PARENT_SCOPE)
    set(_ebpf_tool_target "" PARENT_SCOPE)
  else()
    if(NOT EBPF_TOOL)
      find_program(EBPF_TOOL ebpf REQUIRED)
    endif()
    set(${out} ${EBPF_TOOL} PARENT_SCOPE)
    set(_ebpf_tool_target "" PARENT_SCOPE)
  endif()
endfunction()

function(ebpf_add_program)
  cmake_parse_arguments(ARG "NO_MODULE" "NAME;SECTION" "SOURCES;INCLUDE_DIRS" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SOURCES)
    message(FATAL_ERROR "ebpf_add_program: NAME and SOURCES are required")
  endif()
  list(LENGTH ARG_SOURCES source_count)
  if(NOT source_count EQUAL 1)
    message(FATAL_ERROR "ebpf_add_program(${ARG_NAME}): one eBPF C source per program (got ${source_count})")
  endif()
  get_filename_component(source ${ARG_SOURCES} ABSOLUTE)
  _ebpf_program_tool(tool)
  find_program(EBPF_PROGRAM_CLANG NAMES clang clang-14 clang-15 clang-16 REQUIRED)

  # libbpf's headers in /usr/include; <asm/types.h> in the multiarch directory.
  set(arch_dir ${CMAKE_LIBRARY_ARCHITECTURE})
  if(NOT arch_dir)
    set(arch_dir x86_64-linux-gnu)
  endif()
  set(include_flags -I/usr/include -I/usr/include/${arch_dir})
  foreach(dir ${ARG_INCLUDE_DIRS})
    list(APPEND include_flags -I${dir})
  endforeach()
  set(section_flags)
  if(ARG_SECTION)
    set(section_flags --section ${ARG_SECTION})
  endif()

  set(object ${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME}.o)
  set(module ${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME}.so)
  add_custom_command(
    OUTPUT ${object}
    COMMAND ${EBPF_PROGRAM_CLANG} -target bpf -O2 -g -Wall ${include_flags}
            -MD -MF ${object}.d -c ${source} -o ${object}
    DEPENDS ${source}
    DEPFILE ${object}.d
    COMMENT "eBPF C ${ARG_NAME}: clang -target bpf"
    VERBATIM)
  if(ARG_NO_MODULE)
    set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME}.verified)
    add_custom_command(
      OUTPUT ${stamp}
      COMMAND ${tool} verify ${object} ${section_flags}
      COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
      DEPENDS ${object} ${_ebpf_tool_target}
      COMMENT "eBPF ${ARG_NAME}: verify"
      VERBATIM)
    add_custom_target(${ARG_NAME} ALL DEPENDS ${stamp})
  else()
    # `ebpf build` / `ebpf submit` write the .so only when every step succeeded.
    if(EBPF_BUILD_SERVER)
      set(server_flags --server ${EBPF_BUILD_SERVER} --report ${module}.json)
      foreach(pair "TOKEN_FILE;--token-file" "CACERT;--cacert" "CLIENT_CERT;--client-cert" "CLIENT_KEY;--client-key")
        list(GET pair 0 variable)
        list(GET pair 1 flag)
        if(EBPF_BUILD_${variable})
          list(APPEND server_flags ${flag} ${EBPF_BUILD_${variable}})
        endif()
      endforeach()
      set(build_command ${tool} submit ${object} -o ${module} ${section_flags} ${server_flags})
      set(build_comment "eBPF ${ARG_NAME}: submit to ${EBPF_BUILD_SERVER} (verify, bpf2c, cc, sign) -> ${ARG_NAME}.so")
    else()
      set(build_command ${tool} build ${object} -o ${module} ${section_flags} ${_ebpf_tool_cross_flags})
      set(build_comment "eBPF ${ARG_NAME}: verify, bpf2c, cc -> ${ARG_NAME}.so")
    endif()
    add_custom_command(
      OUTPUT ${module}
      COMMAND ${build_command}
      DEPENDS ${object} ${_ebpf_tool_target}
      COMMENT "${build_comment}"
      VERBATIM)
    add_custom_target(${ARG_NAME} ALL DEPENDS ${module})
  endif()
  set_target_properties(${ARG_NAME} PROPERTIES EBPF_OBJECT ${object} EBPF_MODULE ${module})
endfunction()
