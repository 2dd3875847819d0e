# expect: reject
# class: mapvalue
# why: bpf_map_lookup_elem with an uninitialised key on the stack
# map: array 4 8 1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
r0 = 0
exit
