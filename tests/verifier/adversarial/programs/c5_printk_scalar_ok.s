# expect: accept
# class: 5
# why: bpf_trace_printk("%llx", 42): numbers are fine (a format on the stack is not constant: R3-R5 must be set)
# run: empty -> 0
r1 = 0x786c6c25
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 8
r3 = 42
r4 = 0
r5 = 0
call 6
r0 = 0
exit
