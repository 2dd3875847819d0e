# expect: reject
# class: 5
# why: bpf_trace_printk with a map value pointer as argument
# map: array 4 8 1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

r3 = r0
r1 = 0x786c6c25
*(u64 *)(r10 - 16) = r1
r1 = r10
r1 += -16
r2 = 8
call 6
r0 = 0
exit

out:
r0 = 0
exit
