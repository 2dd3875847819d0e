# expect: reject
# class: stack
# why: bpf_for_each_map_elem callback calls a subprogram; 3 x 200 bytes of stack
# map: array 4 8 2
*(u64 *)(r10 - 200) = 0
r1 = map_by_idx(0)
r2 = func(pc cb)
r3 = 0
r4 = 0
call 164
r0 = 0
exit
cb:
*(u64 *)(r10 - 200) = 0
call sub
r0 = 0
exit
sub:
*(u64 *)(r10 - 200) = 0
r0 = 0
exit
