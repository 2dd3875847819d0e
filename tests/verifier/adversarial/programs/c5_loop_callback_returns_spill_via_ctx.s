# expect: reject
# class: 5
# why: a bpf_loop callback copies the caller's spilled frame pointer into a plain slot the caller returns
*(u64 *)(r10 - 8) = r10
*(u64 *)(r10 - 16) = 0
r1 = 1
r2 = func(pc cb)
r3 = r10
r3 += -16
r4 = 0
call 181
r0 = *(u64 *)(r10 - 16)
exit
cb:
r3 = *(u64 *)(r2 + 8)
*(u64 *)(r2 + 0) = r3
r0 = 0
exit
