# expect: reject
# class: 2
# why: a store into .rodata through a direct value pointer
# map: rodata 4 8 1 data=0700000000000000
r1 = map_value_by_idx(0)+0
*(u64 *)(r1 + 0) = 1
r0 = 0
exit
