# expect: accept
# class: 6
# why: grow the packet by 8 bytes with bpf_xdp_adjust_tail and return the new bytes: Linux zeroes them
# type: xdp
# run: zeros(14) -> 0
# run: 0102030405060708090a0b0c0d0e0f1011121314 -> 0
r6 = r1
r2 = 8
call 65
if r0 != 0 goto out
r2 = *(u32 *)(r6 + 0)
r3 = *(u32 *)(r6 + 4)
r4 = r3
r4 += -8
if r4 < r2 goto out
r5 = r4
r5 += 8
if r5 > r3 goto out
r0 = *(u64 *)(r4 + 0)
exit
out:
r0 = 2
exit
