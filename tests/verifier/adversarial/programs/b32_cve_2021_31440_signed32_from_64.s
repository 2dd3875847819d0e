# expect: reject
# class: bounds32
# why: CVE-2021-31440: a 64-bit signed bound must not become a 32-bit one when the value crosses 2^32
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

if r6 s< 0 goto out
r1 = 0x100000000 ll
if r6 s> r1 goto out
if w6 s< 0 goto out
if w6 s> 1 goto out
r0 += r6
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
