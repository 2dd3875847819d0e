# expect: reject
# class: 1
# why: bpf_tail_call with r1 = the frame pointer instead of the context
# map: prog_array 4 4 4
r1 = r10
r2 = map_by_idx(0)
r3 = 0
call 12
r0 = 0
exit
