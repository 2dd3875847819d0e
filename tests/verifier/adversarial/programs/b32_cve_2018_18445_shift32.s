# expect: reject
# class: bounds32
# why: CVE-2018-18445: w6 >>= 31 of a large 64-bit value; 32-bit shifts truncate first
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

r1 = 0x100000000 ll
r6 |= r1
w6 >>= 31
r6 *= 0x1000
r0 += r6
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
