# expect: reject
# class: 7
# why: direct value access on a queue
# map: queue 0 8 4
r1 = map_value_by_idx(0)+0
r0 = *(u32 *)(r1 + 0)
exit
