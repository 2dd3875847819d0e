# Tests of a cross build (the `aarch64` preset) run under
# CMAKE_CROSSCOMPILING_EMULATOR (qemu-aarch64). CTest puts the emulator in
# front of a test whose command is an executable target of this build (the
# gtest binaries, conformance_runner, `ebpf ...`), but not in front of a
# script (bash, cmake -P) that runs the target's programs itself: without
# binfmt_misc for qemu those cannot start (exec format error). Such tests are
# registered as usual and DISABLED (ctest lists them as "Not Run (Disabled)"
# and does not fail); the configure step names them. The same tests run in
# the native builds (release, asan), and on an AArch64 machine.
#
# A script can run the target's programs itself through the emulator: its
# test sets EBPF_TEST_EMULATOR_ENV in its ENVIRONMENT (EBPF_TEST_EMULATOR: the
# emulator command, words separated by spaces; empty in native builds), starts
# programs as `$EBPF_TEST_EMULATOR "$program"`, and is added with
# EBPF_TEST_RUNS_EMULATOR set to TRUE in the calling scope so that it stays
# enabled.
#
# Overrides add_test() for every directory added after this file is included.
set(EBPF_TEST_EMULATOR_ENV "EBPF_TEST_EMULATOR=")
if(NOT CMAKE_CROSSCOMPILING)
  return()
endif()
list(JOIN CMAKE_CROSSCOMPILING_EMULATOR " " _ebpf_emulator_words)
set(EBPF_TEST_EMULATOR_ENV "EBPF_TEST_EMULATOR=${_ebpf_emulator_words}")

set_property(GLOBAL PROPERTY EBPF_CROSS_DISABLED_TESTS "")

function(add_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME" "COMMAND")
  # Forwarded one by one, bracket-quoted: ${ARGV} would drop empty arguments
  # ("" in a command line).
  set(args "")
  math(EXPR last "${ARGC} - 1")
  foreach(i RANGE 0 ${last})
    string(APPEND args " [==[${ARGV${i}}]==]")
  endforeach()
  cmake_language(EVAL CODE "_add_test(${args})")
  if(arg_NAME AND arg_COMMAND)
    list(GET arg_COMMAND 0 program)
    if(NOT TARGET ${program} AND NOT EBPF_TEST_RUNS_EMULATOR)
      # Deferred to the end of the directory, after its set_tests_properties.
      # A deferred call's arguments are evaluated when it runs: the name goes
      # in as text now.
      cmake_language(EVAL CODE "cmake_language(DEFER CALL set_tests_properties [==[${arg_NAME}]==] PROPERTIES DISABLED TRUE LABELS cross_disabled)")
      set_property(GLOBAL APPEND PROPERTY EBPF_CROSS_DISABLED_TESTS ${arg_NAME})
    endif()
  endif()
endfunction()

# At the end of the top-level directory: the list, once.
function(ebpf_report_cross_disabled_tests)
  get_property(disabled GLOBAL PROPERTY EBPF_CROSS_DISABLED_TESTS)
  list(LENGTH disabled count)
  if(count GREATER 0)
    list(JOIN disabled ", " names)
    list(GET CMAKE_CROSSCOMPILING_EMULATOR 0 emulator)
    message(STATUS "Cross build: ${count} script test(s) disabled (they start ${CMAKE_SYSTEM_PROCESSOR} programs "
                   "from a script, which needs binfmt_misc for ${emulator}): ${names}")
  endif()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL ebpf_report_cross_disabled_tests)
