# expect: reject
# class: 5
# why: bpf_map_update_elem with a hash key buffer holding a spilled pointer: the key is the address
# map: hash 8 8 4
*(u64 *)(r10 - 8) = r10
*(u64 *)(r10 - 16) = 0
r1 = map_by_idx(0)
r2 = r10
r2 += -8
r3 = r10
r3 += -16
r4 = 0
call 2
r0 = 0
exit
