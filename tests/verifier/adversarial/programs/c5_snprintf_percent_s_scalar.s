# expect: reject
# class: 5
# why: bpf_snprintf("%s", {0x601000}) into a buffer the program reads back
# map: rodata 4 4 1 data=25730000
r1 = 0x601000
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -40
r2 = 32
r3 = map_value_by_idx(0)+0
r4 = r10
r4 += -8
r5 = 8
call 165
r0 = *(u64 *)(r10 - 40)
exit
