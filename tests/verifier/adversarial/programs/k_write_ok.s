# expect: accept
# class: packet
# why: write the first byte of a checked packet and pass it
# type: xdp
# run: 00 -> 2
# run: empty -> 2
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)

r4 = r2
r4 += 1
if r4 > r3 goto out
*(u8 *)(r2 + 0) = 0x77
out:
r0 = 2
exit
