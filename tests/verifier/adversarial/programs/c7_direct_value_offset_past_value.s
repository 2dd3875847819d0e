# expect: reject
# class: 7
# why: direct value access 8 bytes past the end of a 8-byte global
# map: data 4 8 1
r1 = map_value_by_idx(0)+8
r0 = *(u32 *)(r1 + 0)
exit
