# expect: accept
# class: 8
# why: bpf_for_each_map_elem over a hash map whose callback deletes the element it visits (Linux allows): no use-after-free, ends
# map: hash 4 8 4
r6 = 0
fill:
*(u32 *)(r10 - 4) = r6
*(u64 *)(r10 - 16) = r6
r1 = map_by_idx(0)
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
call 2
r6 += 1
if r6 < 4 goto fill
r1 = map_by_idx(0)
r2 = func(pc cb)
r3 = 0
r4 = 0
call 164
exit
cb:
r6 = *(u64 *)(r3 + 0)
r2 = r2
call 3
r0 = 0
exit
