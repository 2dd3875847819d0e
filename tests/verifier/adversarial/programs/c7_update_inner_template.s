# expect: reject
# class: 7
# why: bpf_map_update_elem on an inner-map template
# map: hash 4 8 4 template
# map: hash_of_maps 4 4 2 inner=0
*(u64 *)(r10 - 16) = 0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
r1 = map_by_idx(0)
call 2
r0 = 0
exit
