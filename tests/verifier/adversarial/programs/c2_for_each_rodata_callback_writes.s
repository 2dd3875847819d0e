# expect: reject
# class: 2
# why: bpf_for_each_map_elem over .rodata whose callback writes the value
# map: rodata 4 8 1 data=0700000000000000
r1 = map_by_idx(0)
r2 = func(pc cb)
r3 = 0
r4 = 0
call 164
r0 = 0
exit
cb:
*(u64 *)(r3 + 0) = 1
r0 = 0
exit
