# expect: reject
# class: 5
# why: a bpf_loop callback stores its own frame pointer into the caller's stack
*(u64 *)(r10 - 8) = 0
r1 = 1
r2 = func(pc cb)
r3 = r10
r3 += -8
r4 = 0
call 181
r0 = *(u64 *)(r10 - 8)
exit
cb:
*(u64 *)(r2 + 0) = r10
r0 = 0
exit
