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
# clang is looked for at the first ebpf_add_program, so find_package works on
# hosts that only link the library.
include_guard(GLOBAL)

function(_ebpf_program_tool out)
  if(TARGET ebpf)
    set(${out} $<TARGET_FILE:ebpf> PARENT_SCOPE)
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
    # `ebpf build` writes the .so only when every step succeeded.
    add_custom_command(
      OUTPUT ${module}
      COMMAND ${tool} build ${object} -o ${module} ${section_flags}
      DEPENDS ${object} ${_ebpf_tool_target}
      COMMENT "eBPF ${ARG_NAME}: verify, bpf2c, cc -> ${ARG_NAME}.so"
      VERBATIM)
    add_custom_target(${ARG_NAME} ALL DEPENDS ${module})
  endif()
  set_target_properties(${ARG_NAME} PROPERTIES EBPF_OBJECT ${object} EBPF_MODULE ${module})
endfunction()
