# expect: reject
# class: 5
# why: a bpf_for_each_map_elem callback stores the key pointer into the map value
# map: array 4 8 2
r1 = map_by_idx(0)
r2 = func(pc cb)
r3 = 0
r4 = 0
call 164
r0 = 0
exit
cb:
*(u64 *)(r3 + 0) = r2
r0 = 0
exit
