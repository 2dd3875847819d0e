# expect: accept
# class: mapvalue
# why: a per-CPU array value read and written
# map: percpu_array 4 8 1
# run: empty -> 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r1 = *(u64 *)(r0 + 0)
r1 += 1
*(u64 *)(r0 + 0) = r1
r0 = r1
exit

out:
r0 = 0
exit
