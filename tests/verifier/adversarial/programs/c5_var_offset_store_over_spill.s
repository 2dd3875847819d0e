# expect: reject
# class: 5
# why: a variable-offset byte store into an area holding a spilled pointer, then an 8-byte read of it
if r2 < 1 goto out
r3 = *(u8 *)(r1 + 0)
*(u64 *)(r10 - 16) = r10
*(u64 *)(r10 - 8) = 0
r3 &= 7
r4 = r10
r4 += -16
r4 += r3
*(u8 *)(r4 + 0) = 0
r0 = *(u64 *)(r10 - 16)
exit
out:
r0 = 0
exit
