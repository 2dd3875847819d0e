# expect: reject
# class: 5
# why: cmpxchg stores the frame pointer into a map value
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

r1 = r0
r0 = 0
r2 = r10
r0 = cmpxchg_64(r1 + 0, r0, r2)
r0 = 0
exit

out:
r0 = 0
exit
