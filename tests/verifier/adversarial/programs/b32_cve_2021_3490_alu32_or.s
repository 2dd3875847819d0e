# expect: reject
# class: bounds32
# why: CVE-2021-3490 (or): w6 | 1 over an unknown low word is not 1
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

w6 |= 1
r6 &= 0xffff
r0 += r6
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
