# expect: reject
# class: packet
# why: data + a 32-bit number then check: the check must not overflow
# type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)

r4 = r2
r4 += 8
if r4 > r3 goto out
r5 = *(u32 *)(r2 + 0)
r2 += r5
r4 = r2
r4 += 1
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 0)
exit
out:
r0 = 2
exit
