# expect: reject
# class: 5
# why: a bpf_loop callback reads the caller's spilled map value pointer through its context as a number into a plain slot; the caller stores that slot in the map
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

*(u64 *)(r10 - 16) = r0
*(u64 *)(r10 - 24) = 0
r1 = 1
r2 = func(pc cb)
r3 = r10
r3 += -16
r4 = 0
call 181
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r1 = *(u64 *)(r10 - 24)
*(u64 *)(r0 + 0) = r1
r0 = 0
exit
out:
r0 = 0
exit
cb:
r3 = *(u64 *)(r2 + 0)
*(u64 *)(r2 - 8) = r3
r0 = 0
exit
