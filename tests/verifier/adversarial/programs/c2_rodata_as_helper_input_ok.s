# expect: accept
# class: 2
# why: bpf_ringbuf_output from .rodata (reading is fine)
# map: rodata 4 8 1 data=0700000000000000
# map: ringbuf 0 0 4096
# run: empty -> 0
r1 = map_by_idx(1)
r2 = map_value_by_idx(0)+0
r3 = 8
r4 = 0
call 130
exit
