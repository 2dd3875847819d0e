# expect: reject
# class: nullable
# why: if r0 != 1 is no NULL check
# map: hash 4 8 1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 1 goto out
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 0
exit
