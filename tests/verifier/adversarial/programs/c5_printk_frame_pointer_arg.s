# expect: reject
# class: 5
# why: bpf_trace_printk("%llx", r10): a pointer as an "anything" argument
r1 = 0x786c6c25
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 8
r3 = r10
call 6
r0 = 0
exit
