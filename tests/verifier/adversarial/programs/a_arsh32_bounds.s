# expect: reject
# class: alu
# why: w6 s>>= 4 of a value with bit 31 set: zero-extended result is large
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

w6 |= 0x80000000
w6 s>>= 28
r0 += r6
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
