# expect: reject
# class: alu
# why: bswap16 keeps 16 bits: the result is < 65536 but not < 8
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
r6 = bswap16 r6
r0 += r6
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
