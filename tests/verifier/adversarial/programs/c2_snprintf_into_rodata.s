# expect: reject
# class: 2
# why: bpf_snprintf writes its output into .rodata
# map: rodata 4 8 1 data=0700000000000000
# map: rodata 4 2 1 data=6100
r1 = map_value_by_idx(0)+0
r2 = 8
r3 = map_value_by_idx(1)+0
r4 = 0
r5 = 0
call 165
r0 = 0
exit
