# expect: accept
# class: 2
# why: read a .rodata constant: the normal case
# map: rodata 4 8 1 data=0700000000000000
# run: empty -> 7
r1 = map_value_by_idx(0)+0
r0 = *(u64 *)(r1 + 0)
exit
