# expect: reject
# class: bounds32
# why: CVE-2020-8835: r6 in [1, 2^32+1] and w6 <= 1 does not make r6 == 1 (2^32 and 2^32+1 pass too)
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

if r6 < 1 goto out
r1 = 0x100000001 ll
if r6 > r1 goto out
if w6 > 1 goto out
r6 >>= 32
r6 *= 0x1000
r0 += r6
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
