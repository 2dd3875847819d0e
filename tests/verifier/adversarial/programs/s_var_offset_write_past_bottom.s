# expect: reject
# class: stack
# why: a variable-offset store whose range reaches below the 512-byte frame
r0 = 0
if r2 < 2 goto out
r3 = *(u16 *)(r1 + 0)
r3 &= 0x3ff
r4 = r10
r4 -= r3
*(u8 *)(r4 - 1) = 0
out:
exit
