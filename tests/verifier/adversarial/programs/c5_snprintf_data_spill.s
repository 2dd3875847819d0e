# expect: reject
# class: 5
# why: bpf_snprintf data array holding a spilled pointer, printed with %llx
# map: rodata 4 8 1 data=256c6c7800000000
*(u64 *)(r10 - 8) = r10
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
