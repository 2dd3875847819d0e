# expect: reject
# class: alu
# why: r1 = (s8) of a byte 0..255 is in [-128, 127]: a negative offset must be caught
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

r6 &= 0xff
r1 = (s8) r6
r0 += r1
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
