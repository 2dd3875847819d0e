# expect: reject
# class: alu
# why: w1 = (s8) w6 zero-extends the 32-bit result: 0xffffff80 is large
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

w6 &= 0xff
w1 = (s8) w6
r0 += r1
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
