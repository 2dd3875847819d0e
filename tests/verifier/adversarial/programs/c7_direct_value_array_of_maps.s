# expect: reject
# class: 7
# why: direct value access on an array of maps
# map: array_of_maps 4 4 2 inner=1
# map: array 4 8 1 template
r1 = map_value_by_idx(0)+0
r0 = *(u32 *)(r1 + 0)
exit
