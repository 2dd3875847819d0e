# expect: reject
# class: 2
# why: an atomic add into .rodata
# map: rodata 4 8 1 data=0700000000000000
r1 = map_value_by_idx(0)+0
r2 = 1
lock *(u64 *)(r1 + 0) += r2
r0 = 0
exit
