# expect: reject
# class: nullable
# why: a map value that may be NULL passed as a helper's map value argument
# map: hash 4 8 1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
r3 = r0
r1 = map_by_idx(0)
r2 = r10
r2 += -4
r4 = 0
call 2
r0 = 0
exit
