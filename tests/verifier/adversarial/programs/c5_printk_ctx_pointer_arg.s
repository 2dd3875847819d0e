# expect: reject
# class: 5
# why: bpf_trace_printk with the context pointer as argument
# type: xdp
r6 = r1
r1 = 0x786c6c25
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 8
r3 = r6
call 6
r0 = 0
exit
