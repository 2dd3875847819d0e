# expect: accept
# class: nullable
# why: spill a maybe-NULL value, check the register, dereference the refilled copy (same id: Linux accepts)
# map: hash 4 8 1
# run: empty -> 0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
*(u64 *)(r10 - 16) = r0
if r0 == 0 goto out
r1 = *(u64 *)(r10 - 16)
r0 = *(u64 *)(r1 + 0)
exit
out:
r0 = 0
exit
