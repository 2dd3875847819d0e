# expect: reject
# class: 5
# why: bpf_map_pop_elem (value 4 bytes) writes into half of a spilled pointer; read all 8
# map: queue 0 4 4
*(u64 *)(r10 - 8) = r10
r1 = map_by_idx(0)
r2 = r10
r2 += -8
call 88
r0 = *(u64 *)(r10 - 8)
exit
