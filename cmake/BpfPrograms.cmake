# Building eBPF C programs with clang at build time.
#
#   include(BpfPrograms)
#   ebpf_bpf_object(NAME source.c [FLAGS ...] [NO_DEBUG] [OUTPUT_DIR dir])
#     → ${EBPF_TEST_PROGRAMS_DIR}/NAME.o (or dir/NAME.o), part of the target
#     `bpf_test_programs`. Objects that must not verify go to their own
#     OUTPUT_DIR: tests expect every object of EBPF_TEST_PROGRAMS_DIR to load.
#
# Other tests find the objects through the interface target
# `ebpf_test_programs`: linking it adds the compile definition
# EBPF_TEST_PROGRAMS_DIR="<build>/tests/programs" and a build dependency on
# every object, e.g.
#   target_link_libraries(my_test PRIVATE ebpf_test_programs)
#   ... open_object(EBPF_TEST_PROGRAMS_DIR "/xdp_parse.o")
# Included by every test folder that needs it: variables are set for each
# includer, the targets are created once.

# The same directory for every includer, wherever tests/programs is processed.
set(EBPF_TEST_PROGRAMS_DIR ${CMAKE_BINARY_DIR}/tests/programs)

find_program(EBPF_BPF_CLANG NAMES clang clang-14 clang-15 clang-16 REQUIRED)

# libbpf's <bpf/bpf_helpers.h> lives in /usr/include; <asm/types.h> (pulled in
# by <linux/bpf.h>) lives in the multiarch directory, which clang does not
# search for -target bpf.
if(NOT DEFINED EBPF_BPF_INCLUDE_DIRS)
  set(EBPF_BPF_INCLUDE_DIRS /usr/include /usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
  if(NOT CMAKE_LIBRARY_ARCHITECTURE)
    set(EBPF_BPF_INCLUDE_DIRS /usr/include /usr/include/x86_64-linux-gnu)
  endif()
endif()

# bpf_tracing.h's PT_REGS macros (kprobes, libbpf-bootstrap-style tracing
# programs) need the architecture whose struct pt_regs the program reads: the
# one this build runs on (-D__TARGET_ARCH_${EBPF_BPF_TARGET_ARCH}).
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(EBPF_BPF_TARGET_ARCH arm64)
else()
  set(EBPF_BPF_TARGET_ARCH x86)
endif()

if(NOT TARGET bpf_test_programs)
  add_custom_target(bpf_test_programs ALL)
endif()
if(NOT TARGET ebpf_test_programs)
  add_library(ebpf_test_programs INTERFACE)
  target_compile_definitions(ebpf_test_programs INTERFACE
    EBPF_TEST_PROGRAMS_DIR="${EBPF_TEST_PROGRAMS_DIR}")
  add_dependencies(ebpf_test_programs bpf_test_programs)
endif()

function(ebpf_bpf_object name source)
  cmake_parse_arguments(ARG "NO_DEBUG" "OUTPUT_DIR" "FLAGS" ${ARGN})
  get_filename_component(source_path ${source} ABSOLUTE)
  set(output_dir ${EBPF_TEST_PROGRAMS_DIR})
  if(ARG_OUTPUT_DIR)
    set(output_dir ${ARG_OUTPUT_DIR})
  endif()
  set(output ${output_dir}/${name}.o)
  set(include_flags)
  foreach(dir ${EBPF_BPF_INCLUDE_DIRS})
    list(APPEND include_flags -I${dir})
  endforeach()
  set(debug_flag -g)
  if(ARG_NO_DEBUG)
    set(debug_flag)
  endif()
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${output_dir}
    COMMAND ${EBPF_BPF_CLANG} -target bpf -O2 ${debug_flag} -Wall -Werror
            ${include_flags} ${ARG_FLAGS} -MD -MF ${output}.d -c ${source_path} -o ${output}
    DEPENDS ${source_path}
    DEPFILE ${output}.d
    COMMENT "eBPF object ${name}.o"
    VERBATIM)
  add_custom_target(bpf_program_${name} DEPENDS ${output})
  add_dependencies(bpf_test_programs bpf_program_${name})
endfunction()
