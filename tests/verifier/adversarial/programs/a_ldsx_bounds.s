# expect: reject
# class: alu
# why: a sign-extending load of a byte is in [-128, 127]
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

*(u8 *)(r10 - 8) = 0x80
r1 = *(s8 *)(r10 - 8)
r0 += r1
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
