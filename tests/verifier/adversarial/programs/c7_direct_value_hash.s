# expect: reject
# class: 7
# why: LDDW map value (direct value access) on a hash map, which has no direct value
# map: hash 4 8 4
r1 = map_value_by_idx(0)+0
r0 = *(u32 *)(r1 + 0)
exit
