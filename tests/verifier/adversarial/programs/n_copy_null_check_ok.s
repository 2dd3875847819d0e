# expect: accept
# class: nullable
# why: check a copy of the lookup result; the original is known non-NULL (same id)
# map: hash 4 8 1
# run: empty -> 0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
r1 = r0
if r1 == 0 goto out
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 0
exit
