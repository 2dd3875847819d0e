# expect: reject
# class: 5
# why: bpf_trace_printk("%p", r10): the address in the trace
r1 = 0x7025
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 8
r3 = r10
call 6
r0 = 0
exit
