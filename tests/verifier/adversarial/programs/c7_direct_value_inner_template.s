# expect: reject
# class: 7
# why: direct value access on an inner-map template (not a map at run time)
# map: array 4 8 1 template
# map: array_of_maps 4 4 2 inner=0
r1 = map_value_by_idx(0)+0
r0 = *(u32 *)(r1 + 0)
exit
