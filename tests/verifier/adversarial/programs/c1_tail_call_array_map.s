# expect: reject
# class: 1
# why: bpf_tail_call through a plain array map
# map: array 4 4 4
r2 = map_by_idx(0)
r3 = 0
call 12
r0 = 0
exit
