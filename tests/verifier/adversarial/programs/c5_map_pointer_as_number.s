# expect: reject
# class: 5
# why: the map pointer itself (LDDW map) stored in a map value
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

r1 = map_by_idx(0)
*(u64 *)(r0 + 0) = r1
r0 = 0
exit

out:
r0 = 0
exit
