# expect: reject
# class: 5
# why: bpf_trace_printk("%s", 0x1000): a number used as the address of a string (reads host memory)
r1 = 0x7325
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 8
r3 = 0x601000
call 6
r0 = 0
exit
