# expect: reject
# class: 5
# why: store the frame pointer into the packet
# type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto out
*(u64 *)(r2 + 0) = r10
out:
r0 = 2
exit
