# expect: reject
# class: helper
# why: bpf_map_lookup_elem with a number as the map
# map: array 4 8 1
*(u32 *)(r10 - 4) = 0
r1 = 0x1000
r2 = r10
r2 += -4
call 1
r0 = 0
exit
