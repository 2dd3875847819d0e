# expect: accept
# class: 2
# why: a .rodata constant used as an array index (folded only because .rodata is frozen)
# map: rodata 4 8 1 data=0700000000000000
# map: data 4 8 1 data=0001020304050607
# run: empty -> 7
r1 = map_value_by_idx(0)+0
r2 = *(u64 *)(r1 + 0)
r3 = map_value_by_idx(1)+0
r3 += r2
r0 = *(u8 *)(r3 + 0)
exit
