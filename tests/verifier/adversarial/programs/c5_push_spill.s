# expect: reject
# class: 5
# why: bpf_map_push_elem of a spilled pointer into a queue
# map: queue 0 8 4
*(u64 *)(r10 - 8) = r10
r1 = map_by_idx(0)
r2 = r10
r2 += -8
r3 = 0
call 87
r0 = 0
exit
