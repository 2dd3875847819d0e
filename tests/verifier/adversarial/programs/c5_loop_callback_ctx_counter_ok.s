# expect: accept
# class: 5
# why: a bpf_loop callback counts in the caller's stack: no pointer involved
# run: empty -> 15
*(u64 *)(r10 - 8) = 0
r1 = 5
r2 = func(pc cb)
r3 = r10
r3 += -8
r4 = 0
call 181
r0 = *(u64 *)(r10 - 8)
exit
cb:
r3 = *(u64 *)(r2 + 0)
r3 += 3
*(u64 *)(r2 + 0) = r3
r0 = 0
exit
