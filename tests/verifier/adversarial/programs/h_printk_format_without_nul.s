# expect: accept
# class: helper
# why: bpf_trace_printk with an 8-byte format at the top of the stack and no NUL: must not read past it (Linux returns -EINVAL; we format the 8 bytes: either is safe)
# run: empty
r1 = 0x4141414141414141 ll
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 8
r3 = 0
r4 = 0
r5 = 0
call 6
exit
