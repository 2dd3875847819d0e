# expect: accept
# class: 3
# why: read 4 bytes of XDP metadata after checking meta + 4 <= data (no metadata: the check fails)
# type: xdp
# run: zeros(14) -> 2
r2 = *(u32 *)(r1 + 8)
r3 = *(u32 *)(r1 + 0)
r4 = r2
r4 += 4
r0 = 2
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 0)
r0 &= 1
out:
exit
