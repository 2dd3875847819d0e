# expect: accept
# class: 6
# why: grow the packet at the head by 8 bytes and test them: they must not be host memory (3 = zero, as grown room is zeroed)
# type: xdp
# run: zeros(14) -> 3
r6 = r1
r2 = -8
call 44
if r0 != 0 goto out
r2 = *(u32 *)(r6 + 0)
r3 = *(u32 *)(r6 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto out
r1 = *(u64 *)(r2 + 0)
r0 = 3
if r1 == 0 goto +1
r0 = 1
exit
out:
r0 = 2
exit
