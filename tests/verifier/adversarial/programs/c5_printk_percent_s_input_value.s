# expect: reject
# class: 5
# why: bpf_trace_printk("%s", *(u64 *)input): the program chooses the host address to read
if r2 < 8 goto out
r3 = *(u64 *)(r1 + 0)
r1 = 0x7325
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 8
call 6
out:
r0 = 0
exit
