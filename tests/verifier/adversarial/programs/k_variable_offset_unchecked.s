# expect: reject
# class: packet
# why: data + (first byte) read without a new check
# type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)

r4 = r2
r4 += 1
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 0)
r2 += r5
r0 = *(u8 *)(r2 + 0)
exit
out:
r0 = 2
exit
