# expect: reject
# class: 7
# why: bpf_map_update_elem on an array of maps from the program (Linux: only lookup)
# map: array 4 8 1 template
# map: array_of_maps 4 4 2 inner=0
*(u32 *)(r10 - 4) = 0
*(u32 *)(r10 - 8) = 0
r1 = map_by_idx(1)
r2 = r10
r2 += -4
r3 = r10
r3 += -8
r4 = 0
call 2
r0 = 0
exit
