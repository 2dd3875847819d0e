# expect: reject
# class: pruning
# why: a spilled scalar is 0 on one path and 64 on the other; filled and used as an offset
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

*(u64 *)(r10 - 16) = 0
if r6 == 0 goto join
r1 = 64
*(u64 *)(r10 - 16) = r1
join:
r1 = *(u64 *)(r10 - 16)
r0 += r1
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
