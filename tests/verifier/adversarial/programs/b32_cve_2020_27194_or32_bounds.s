# expect: reject
# class: bounds32
# why: CVE-2020-27194: 32-bit OR bounds (scalar32_min_max_or)
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
w6 |= 0x100
r6 -= 0x100
r6 *= 0x100
r0 += r6
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
