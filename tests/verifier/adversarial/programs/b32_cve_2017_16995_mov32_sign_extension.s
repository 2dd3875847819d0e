# expect: reject
# class: bounds32
# why: CVE-2017-16995: w2 = -1 is 0xffffffff (zero-extended), not -1; +1 is 2^32, >> 32 is 1
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

w2 = -1
r2 += 1
r2 >>= 32
r2 *= 0x1000
r0 += r2
r0 = *(u8 *)(r0 + 0)
exit

out:
r0 = 0
exit
