# expect: accept
# class: mapvalue
# why: a hash value pointer used after bpf_map_delete_elem of its key (Linux allows: RCU); must not be a use-after-free in any engine
# map: hash 4 8 4
# run: empty -> 42
*(u32 *)(r10 - 4) = 1
*(u64 *)(r10 - 16) = 42
r1 = map_by_idx(0)
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
call 2
r1 = map_by_idx(0)
r2 = r10
r2 += -4
call 1
if r0 == 0 goto out
r6 = r0
r1 = map_by_idx(0)
r2 = r10
r2 += -4
call 3
r0 = *(u64 *)(r6 + 0)
*(u64 *)(r6 + 0) = 7
exit
out:
r0 = 0
exit
