# expect: accept
# run: empty -> 0
# class: 7
# why: direct value access on an array of 4 entries (Linux allows only single-entry arrays; ours points at entry 0, bounded by value_size: safe, a deliberate difference)
# map: array 4 8 4
r1 = map_value_by_idx(0)+0
r0 = *(u32 *)(r1 + 0)
exit
