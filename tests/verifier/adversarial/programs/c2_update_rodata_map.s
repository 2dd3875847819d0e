# expect: reject
# class: 2
# why: bpf_map_update_elem on the .rodata map (Linux: write into map forbidden)
# map: rodata 4 8 1 data=0700000000000000
*(u32 *)(r10 - 4) = 0
*(u64 *)(r10 - 16) = 9
r1 = map_by_idx(0)
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
call 2
r1 = map_value_by_idx(0)+0
r0 = *(u64 *)(r1 + 0)
exit
