# expect: reject
# class: packet
# why: if end >= data + 14 goto out: reads on the wrong side
# type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)

r4 = r2
r4 += 14
if r3 >= r4 goto out
r0 = *(u8 *)(r2 + 0)
exit
out:
r0 = 2
exit
