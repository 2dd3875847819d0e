# expect: reject
# class: 7
# why: direct value access at offset -8
# map: data 4 8 1
r1 = map_value_by_idx(0)-8
r0 = *(u32 *)(r1 + 0)
exit
