# expect: accept
# class: 7
# why: direct value access into .data, read 4 bytes: the normal case
# run: empty -> 5
# map: data 4 8 1 data=0500000000000000
r1 = map_value_by_idx(0)+0
r0 = *(u32 *)(r1 + 0)
exit
