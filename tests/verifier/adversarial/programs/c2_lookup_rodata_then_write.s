# expect: reject
# class: 2
# why: bpf_map_lookup_elem on .rodata, then a store through the value pointer
# map: rodata 4 8 1 data=0700000000000000
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

*(u64 *)(r0 + 0) = 5
r0 = 0
exit

out:
r0 = 0
exit
