# expect: accept
# class: packet
# why: data + (first byte & 15), checked against end, read
# type: xdp
# run: 0201ff -> 3
# run: 05 -> 2
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)

r4 = r2
r4 += 1
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 0)
r5 &= 15
r2 += r5
r4 = r2
r4 += 1
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 0)
r0 &= 3
exit
out:
r0 = 2
exit
