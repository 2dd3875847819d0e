# expect: reject
# class: 5
# why: a bpf_for_each_map_elem callback writes the value pointer into the caller's context slot
# map: array 4 8 2
*(u64 *)(r10 - 8) = 0
r1 = map_by_idx(0)
r2 = func(pc cb)
r3 = r10
r3 += -8
r4 = 0
call 164
r0 = *(u64 *)(r10 - 8)
exit
cb:
*(u64 *)(r4 + 0) = r3
r0 = 0
exit
