# expect: reject
# class: helper
# why: bpf_trace_printk with size 16 over an 8-byte buffer at the top of the stack
r1 = 0x786c6c25
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 16
call 6
r0 = 0
exit
