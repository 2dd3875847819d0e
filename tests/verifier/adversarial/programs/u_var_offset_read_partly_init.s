# expect: reject
# class: uninit
# why: a variable-offset read in [-16, -8) where only -8 is written
r0 = 0
if r2 < 1 goto out
*(u64 *)(r10 - 8) = 1
r3 = *(u8 *)(r1 + 0)
r3 &= 8
r4 = r10
r4 += -16
r4 += r3
r0 = *(u64 *)(r4 + 0)
out:
exit
