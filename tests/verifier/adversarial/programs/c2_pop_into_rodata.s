# expect: reject
# class: 2
# why: bpf_map_pop_elem writes the popped value into .rodata
# map: rodata 4 8 1 data=0700000000000000
# map: queue 0 8 4
r1 = map_by_idx(1)
r2 = map_value_by_idx(0)+0
call 88
r1 = map_value_by_idx(0)+0
r0 = *(u64 *)(r1 + 0)
exit
