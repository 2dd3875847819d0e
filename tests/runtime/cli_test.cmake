# `ebpf run` (ELF branch) and `ebpf trace` driven as a user would; run by
# CTest as: cmake -DEBPF=... -DPROGRAMS=... -DWORK=... -P cli_test.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(ENV{EBPF_TRACE_PATH} ${WORK}/trace)

function(ebpf_expect expected_code expected_text)
  execute_process(COMMAND ${EBPF} ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL expected_code)
    message(FATAL_ERROR "ebpf ${ARGN}: exit ${code}, expected ${expected_code}\n${out}\n${err}")
  endif()
  string(FIND "${out}${err}" "${expected_text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "ebpf ${ARGN}: output lacks '${expected_text}':\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

# XDP: an IPv4/UDP frame to port 9 is dropped (1); the packet goes out unchanged.
string(REPEAT "00" 12 mac)
set(frame "${mac}0800" "4500001c000000004011" "00000a0000010a000002" "003500090008" "0000")
string(JOIN "" frame_hex ${frame})
file(WRITE ${WORK}/frame.hex "${frame_hex}")
execute_process(COMMAND xxd -r -p ${WORK}/frame.hex ${WORK}/frame.bin)
ebpf_expect(0 "\"retval\": 1" run ${PROGRAMS}/xdp_parse.o --data-in ${WORK}/frame.bin
            --data-out ${WORK}/out.bin --repeat 3 --json --dump-maps)
ebpf_expect(0 "proto_count" run ${PROGRAMS}/xdp_parse.o --data-in ${WORK}/frame.bin --dump-maps)
file(SIZE ${WORK}/out.bin out_size)
if(NOT out_size EQUAL 42)
  message(FATAL_ERROR "--data-out wrote ${out_size} bytes, expected the 42-byte packet")
endif()

# tc: the tunnel key the program set is shown.
ebpf_expect(0 "Tunnel key: id 5000 remote 2001:db8::9" run ${PROGRAMS}/runtime_skb.o --prog tc_tunnel
            --data-in ${WORK}/frame.bin)
ebpf_expect(0 "\"label\": 74565" run ${PROGRAMS}/runtime_skb.o --prog tc_tunnel --data-in ${WORK}/frame.bin --json)

# sock_addr: bind to port 22 is denied; connect to 10.0.0.1:8080 rewritten to 80.
string(REPEAT "00" 20 zeros20)
string(REPEAT "00" 44 zeros44)
file(WRITE ${WORK}/bind.hex "02000000${zeros20}00160000${zeros44}")
execute_process(COMMAND xxd -r -p ${WORK}/bind.hex ${WORK}/bind.bin)
ebpf_expect(0 "Return value: 0" run ${PROGRAMS}/sock_addr.o --prog bind4_policy --ctx-in ${WORK}/bind.bin)
string(REPEAT "00" 16 zeros16)
file(WRITE ${WORK}/connect.hex "020000000a000001${zeros16}1f900000${zeros44}")
execute_process(COMMAND xxd -r -p ${WORK}/connect.hex ${WORK}/connect.bin)
ebpf_expect(0 "Return value: 1" run ${PROGRAMS}/sock_addr.o --section cgroup/connect4 --ctx-in ${WORK}/connect.bin
            --ctx-out ${WORK}/connect.out)
file(READ ${WORK}/connect.out rewritten HEX)
string(SUBSTRING "${rewritten}" 48 4 port)
if(NOT port STREQUAL "0050")
  message(FATAL_ERROR "connect4 did not rewrite the port to 80: ${rewritten}")
endif()

# hook: a header buffer; and a map preloaded from a key/value hex file.
file(WRITE ${WORK}/header.hex "01009feb07000000")
execute_process(COMMAND xxd -r -p ${WORK}/header.hex ${WORK}/header.bin)
ebpf_expect(0 "Return value: 7" run ${PROGRAMS}/hook_buffer.o --section hook/header --data-in ${WORK}/header.bin)
file(WRITE ${WORK}/key.hex "07000000")
execute_process(COMMAND xxd -r -p ${WORK}/key.hex ${WORK}/key.bin)
file(WRITE ${WORK}/hash_map.txt "# key value\n07000000 2900000000000000\n")
ebpf_expect(0 "Return value: 42" run ${PROGRAMS}/maps_all.o --prog use_hash --data-in ${WORK}/key.bin
            --map hash_map=${WORK}/hash_map.txt)

# Errors a user can act on.
ebpf_expect(1 "no program 'nope'" run ${PROGRAMS}/maps_all.o --prog nope)
ebpf_expect(1 "several programs" run ${PROGRAMS}/maps_all.o)
ebpf_expect(1 "no map 'nope'" run ${PROGRAMS}/maps_all.o --prog use_hash --map nope=${WORK}/hash_map.txt)

# --map cannot write read-only data: .rodata is frozen when the object loads
# (index_limit = 1000 would turn the verified table[index_limit] into an
# out-of-bounds read).
file(WRITE ${WORK}/rodata.txt "00000000 e8030000\n")
ebpf_expect(1 "the map is frozen" run ${PROGRAMS}/runtime_rodata_bound.o --prog read_table
            --map .rodata=${WORK}/rodata.txt)
ebpf_expect(0 "Return value: 40" run ${PROGRAMS}/runtime_rodata_bound.o --prog read_table)
# --dump-maps shows frozen maps without writing them (a frozen queue is not drained).
ebpf_expect(0 "\"name\": \"pending\"" run ${PROGRAMS}/runtime_rodata_bound.o --prog read_table --json --dump-maps)
# --map cannot put a hook program into the XDP programs' prog array: with
# --prog leak, `ebpf run` loads hook/leak (id 1) alone — xdp/target is not
# reachable from it — but xdp/target's static slot 0 still makes the array
# belong to XDP programs.
file(WRITE ${WORK}/jump_table.txt "01000000 01000000\n")
ebpf_expect(1 "program 'leak' (hook) cannot be stored in slot 1: the prog array belongs to xdp programs"
            run ${PROGRAMS}/runtime_tail_types.o --prog leak --map jump_table=${WORK}/jump_table.txt)
file(WRITE ${WORK}/jump_table.txt "01000000 01000000\n")
file(WRITE ${WORK}/slot1.hex "0100000000000000000000000000")  # an Ethernet-sized frame: XDP test runs refuse less, as Linux
execute_process(COMMAND xxd -r -p ${WORK}/slot1.hex ${WORK}/slot1.bin)
ebpf_expect(0 "Return value: 1" run ${PROGRAMS}/runtime_tail_types.o --prog dispatch
            --map jump_table=${WORK}/jump_table.txt --data-in ${WORK}/slot1.bin)
ebpf_expect(0 "Return value: 2" run ${PROGRAMS}/runtime_tail_types.o --prog dispatch --data-in ${WORK}/slot1.bin)

# bpf_printk output through `ebpf trace` (a second process), as JSON lines.
ebpf_expect(0 "Return value: 108" run ${PROGRAMS}/global_data.o --prog greet --data-in ${WORK}/frame.bin)
ebpf_expect(0 "greeting for 42 bytes" trace)
ebpf_expect(0 "\"message\":\"greeting for 42 bytes\"" trace --json)
