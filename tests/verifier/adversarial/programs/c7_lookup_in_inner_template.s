# expect: reject
# class: 7
# why: bpf_map_lookup_elem on an inner-map template
# map: array 4 8 1 template
# map: array_of_maps 4 4 2 inner=0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 0
exit
