# expect: reject
# class: alu
# why: w6 = -w6 of [0, 7] is [0] or near 2^32
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

r6 &= 7
w6 = -w6
r0 += r6
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
