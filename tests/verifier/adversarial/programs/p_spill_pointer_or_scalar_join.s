# expect: reject
# class: pruning
# why: a stack slot holds a pointer on one path and a scalar on the other; returned after the join
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

*(u64 *)(r10 - 16) = r6
if r6 == 0 goto join
*(u64 *)(r10 - 16) = r0
join:
r0 = *(u64 *)(r10 - 16)
exit

out:
r0 = 0
exit
