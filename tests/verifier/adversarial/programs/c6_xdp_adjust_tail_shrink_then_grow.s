# expect: accept
# class: 6
# why: shrink the tail by 8, grow it back: the 8 bytes reappear zeroed (Linux memsets grown room)
# type: xdp
# run: ffffffffffffffffffffffffffffffffffff -> 0
r6 = r1
r2 = -8
call 65
r1 = r6
r2 = 8
call 65
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
