# expect: accept
# class: pruning
# why: precision: a caller-frame spill (map value pointer) survives a bpf_loop call whose callback does not touch it
# map: array 4 8 1
# run: empty -> 0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

*(u64 *)(r10 - 16) = r0
*(u64 *)(r10 - 24) = 0
r1 = 3
r2 = func(pc cb)
r3 = r10
r3 += -24
r4 = 0
call 181
r1 = *(u64 *)(r10 - 16)
r0 = *(u64 *)(r1 + 0)
exit

out:
r0 = 0
exit

cb:
r3 = *(u64 *)(r2 + 0)
r3 += 1
*(u64 *)(r2 + 0) = r3
r0 = 0
exit
