# expect: accept
# class: helper
# why: bpf_snprintf("%d") with 4 bytes of data at the top of the stack: must not read 8 (Linux: -EINVAL)
# map: rodata 4 3 1 data=256400
# run: empty -> -22
*(u32 *)(r10 - 4) = 7
r1 = r10
r1 += -24
r2 = 16
r3 = map_value_by_idx(0)+0
r4 = r10
r4 += -4
r5 = 4
call 165
exit
