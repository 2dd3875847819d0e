# expect: reject
# class: 5
# why: variable-offset store of a scalar touching a spill slot, then reading the spill as two words
if r2 < 1 goto out
r3 = *(u8 *)(r1 + 0)
*(u64 *)(r10 - 16) = r10
r3 &= 1
r4 = r10
r4 += -16
r4 += r3
*(u8 *)(r4 + 0) = 1
r0 = *(u32 *)(r10 - 12)
exit
out:
r0 = 0
exit
