# expect: reject
# class: 7
# why: direct value access on an array of 4 entries (Linux: only single-entry arrays)
# map: array 4 8 4
r1 = map_value_by_idx(0)+0
r0 = *(u32 *)(r1 + 0)
exit
