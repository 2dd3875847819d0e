# expect: reject
# class: 7
# why: direct value access on a per-CPU array
# map: percpu_array 4 8 1
r1 = map_value_by_idx(0)+0
r0 = *(u32 *)(r1 + 0)
exit
