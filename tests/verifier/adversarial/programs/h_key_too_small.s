# expect: reject
# class: helper
# why: a 4-byte key buffer for an 8-byte key
# map: hash 8 8 4
*(u32 *)(r10 - 4) = 0
r1 = map_by_idx(0)
r2 = r10
r2 += -4
call 1
r0 = 0
exit
