# expect: reject
# class: atomics
# why: an 8-byte atomic at offset 4 of a map value
# map: array 4 16 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r1 = 1
lock *(u64 *)(r0 + 4) += r1
r0 = 0
exit

out:
r0 = 0
exit
