# expect: reject
# class: bounds32
# why: w6 in [0, 8] then w6 -= 9 wraps to near 2^32, zero-extended
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

if r6 > 8 goto out
w6 -= 9
r0 += r6
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
