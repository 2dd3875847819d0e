# expect: reject
# class: pruning
# why: CVE-2017-17855 shape: r1 is a map value pointer on one path and a scalar on the other; dereference after the join
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r6 = *(u64 *)(r0 + 0)

r1 = r0
if r6 == 0 goto join
r1 = 0x1000
join:
r0 = *(u64 *)(r1 + 0)
exit

out:
r0 = 0
exit
