# The command line on a hostile object: names, section, license and a source
# line carrying terminal escapes (ESC [2J, OSC title, BEL) and bytes that are
# not UTF-8. Text output must show them escaped (no raw control byte reaches
# the terminal), every --json output must be valid JSON, and the limits,
# FIFO and device checks must refuse with a clear message. Run by CTest as:
#   cmake -DEBPF=... -DBPF2C=... -DCLANG=... -DWORK=... -P cli_hostile_test.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
string(ASCII 27 esc)
string(ASCII 7 bel)

# C escapes (\x1b, \xff) inside C strings; a raw ESC in the comment, which
# BTF line info copies into the object as part of the source line.
file(WRITE ${WORK}/evil.c "#define SEC(x) __attribute__((section(x), used))
struct def { unsigned type, key, value, max, flags; };
struct def m __asm__(\"map\\x1b[31mred\\xff\") SEC(\"maps\") = {2, 4, 8, 1, 0};
struct def big __asm__(\"big\") SEC(\"maps\") = {1, 4, 8, 0xffffffff, 0};
SEC(\"hook/\\x1b]0;pwned\\x07\") int prog(void *ctx) __asm__(\"evil\\x1b[2J\\xfe\");
int prog(void *ctx) {
  return *(int *)(ctx + 100000); /* ${esc}[2K hidden */
}
char _license[] SEC(\"license\") = \"GPL\\x1b[5m\";
")
execute_process(COMMAND ${CLANG} -target bpf -O2 -g -c ${WORK}/evil.c -o ${WORK}/evil.o RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "clang failed on evil.c")
endif()

# Runs a command; checks its exit code and that stdout+stderr hold `expected`
# and no raw ESC or BEL byte. Leaves stdout in `last_output`.
function(expect_clean expected_code expected_text)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL expected_code)
    message(FATAL_ERROR "${ARGN}: exit ${code}, expected ${expected_code}\n${out}\n${err}")
  endif()
  string(FIND "${out}${err}" "${expected_text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${ARGN}: output lacks '${expected_text}':\n${out}\n${err}")
  endif()
  foreach(byte esc bel)
    string(FIND "${out}${err}" "${${byte}}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${ARGN}: a raw ${byte} byte reached the output:\n${out}\n${err}")
    endif()
  endforeach()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

function(expect_json)
  string(JSON type ERROR_VARIABLE error TYPE "${last_output}")
  if(error)
    message(FATAL_ERROR "not valid JSON (${error}):\n${last_output}")
  endif()
endfunction()

# The huge map needs a higher limit; with the default it is refused by name.
expect_clean(1 "map 'big': needs 240518168520 bytes" ${EBPF} show ${WORK}/evil.o)
expect_clean(1 "(max_map_bytes)" ${BPF2C} ${WORK}/evil.o -o ${WORK}/evil.c.out)
set(raise --max-map-bytes 300000000000 --max-total-map-bytes 300000000000)

expect_clean(0 "evil\\x1b[2J\\xfe" ${EBPF} show ${raise} ${WORK}/evil.o)
expect_clean(0 "section hook/\\x1b]0;pwned\\x07" ${EBPF} show ${raise} ${WORK}/evil.o)
expect_clean(0 "map\\x1b[31mred\\xff  array" ${EBPF} show ${raise} ${WORK}/evil.o)
expect_clean(0 "license: GPL\\x1b[5m" ${EBPF} show ${raise} ${WORK}/evil.o)
expect_clean(0 "\"name\": \"map\\\\x1b[31mred\\\\xff\"" ${EBPF} show --json ${raise} ${WORK}/evil.o)
expect_json()
expect_clean(0 "/* \\x1b[2K hidden */" ${EBPF} disasm --source ${raise} ${WORK}/evil.o)
expect_clean(1 "/* \\x1b[2K hidden */" ${EBPF} verify ${raise} ${WORK}/evil.o)
expect_clean(1 "\"verified\": false" ${EBPF} verify --json ${raise} ${WORK}/evil.o)
expect_json()
expect_clean(1 "/* \\x1b[2K hidden */" ${BPF2C} ${raise} ${WORK}/evil.o -o ${WORK}/evil.c.out)

# Inputs that are not regular files: refused at once, never read or waited for.
execute_process(COMMAND mkfifo ${WORK}/fifo.o)
expect_clean(1 "fifo.o: a FIFO, not a regular file" ${EBPF} show ${WORK}/fifo.o TIMEOUT 10)
expect_clean(1 "fifo.o: a FIFO, not a regular file" ${BPF2C} ${WORK}/fifo.o -o ${WORK}/f.c TIMEOUT 10)
expect_clean(1 "/dev/zero: a character device" ${EBPF} run /dev/zero TIMEOUT 10)
expect_clean(1 "too large (the limit is 1000 bytes)" ${EBPF} show --max-object-bytes 1000 ${WORK}/evil.o)
