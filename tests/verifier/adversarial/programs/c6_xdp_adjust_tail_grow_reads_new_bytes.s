# expect: accept
# class: 6
# why: grow a 14-byte packet by 8 bytes with bpf_xdp_adjust_tail and test the new bytes: Linux zeroes them (3 = zero, 1 = not)
# type: xdp
# run: zeros(14) -> 3
# run: 0102030405060708090a0b0c0d0e -> 3
r6 = r1
r2 = 8
call 65
if r0 != 0 goto out
r2 = *(u32 *)(r6 + 0)
r3 = *(u32 *)(r6 + 4)
r4 = r2
r4 += 22
if r4 > r3 goto out
r1 = *(u64 *)(r2 + 14)
r0 = 3
if r1 == 0 goto +1
r0 = 1
exit
out:
r0 = 2
exit
