# expect: reject
# class: 5
# why: bpf_map_update_elem with a value buffer holding a spilled pointer
# map: array 4 8 1
*(u64 *)(r10 - 16) = r1
*(u32 *)(r10 - 4) = 0
r1 = map_by_idx(0)
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
call 2
r0 = 0
exit
