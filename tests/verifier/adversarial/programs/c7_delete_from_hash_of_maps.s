# expect: reject
# class: 7
# why: bpf_map_delete_elem on a hash of maps from the program (Linux: only lookup; deleting frees an inner map a program may hold)
# map: hash 4 8 1 template
# map: hash_of_maps 4 4 2 inner=0
*(u32 *)(r10 - 4) = 0
r1 = map_by_idx(1)
r2 = r10
r2 += -4
call 3
r0 = 0
exit
