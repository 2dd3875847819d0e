# expect: accept
# class: 6
# why: shrink a 30-byte packet by 8 (Linux keeps at least 14), grow it back: the 8 bytes reappear zeroed (Linux memsets grown room; 3 = zero)
# type: xdp
# run: ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff -> 3
r6 = r1
r2 = -8
call 65
r1 = r6
r2 = 8
call 65
r2 = *(u32 *)(r6 + 0)
r3 = *(u32 *)(r6 + 4)
r4 = r2
r4 += 30
if r4 > r3 goto out
r1 = *(u64 *)(r2 + 22)
r0 = 3
if r1 == 0 goto +1
r0 = 1
exit
out:
r0 = 2
exit
