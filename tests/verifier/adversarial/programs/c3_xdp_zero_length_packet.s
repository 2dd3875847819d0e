# expect: accept
# class: 3
# why: an XDP program reading one byte after checking data + 1 <= data_end, run on a zero-length packet
# type: xdp
# run: empty -> 2
# run: 01 -> 1
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 1
r0 = 2
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 0)
r0 &= 3
out:
exit
