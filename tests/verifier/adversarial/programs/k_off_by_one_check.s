# expect: reject
# class: packet
# why: if data + 13 > end: then read 2 bytes at 12
# type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)

r4 = r2
r4 += 13
if r4 > r3 goto out
r0 = *(u16 *)(r2 + 12)
exit
out:
r0 = 2
exit
