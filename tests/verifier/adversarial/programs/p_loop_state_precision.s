# expect: reject
# class: pruning
# why: a loop where the offset grows each iteration beyond the value (pruning must not reuse the first state)
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

r1 = 0
loop:
r2 = r0
r2 += r1
r3 = *(u8 *)(r2 + 0)
r1 += 4
if r1 < 12 goto loop
r0 = r3
exit

out:
r0 = 0
exit
