# expect: reject
# class: 2
# why: bpf_map_delete_elem on the .rodata map
# map: rodata 4 8 1 data=0700000000000000
*(u32 *)(r10 - 4) = 0
r1 = map_by_idx(0)
r2 = r10
r2 += -4
call 3
r0 = 0
exit
