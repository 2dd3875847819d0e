# expect: reject
# class: 2
# why: bpf_map_peek_elem writes into .rodata
# map: rodata 4 8 1 data=0700000000000000
# map: stack 0 8 4
r1 = map_by_idx(1)
r2 = map_value_by_idx(0)+0
call 89
r0 = 0
exit
