# expect: reject direct value access into map 'map0' of type array with 4 entries prohibited
# class: 7
# why: direct value access on an array of 4 entries (Linux allows only single-entry arrays, and so do we: only they have one value to bind)
# map: array 4 8 4
r1 = map_value_by_idx(0)+0
r0 = *(u32 *)(r1 + 0)
exit
