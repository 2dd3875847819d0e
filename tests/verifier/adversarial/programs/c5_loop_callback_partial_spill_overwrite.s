# expect: reject
# class: 5
# why: a bpf_loop callback overwrites one byte of the caller's spilled pointer; the caller reads the rest
*(u64 *)(r10 - 8) = r10
r1 = 1
r2 = func(pc cb)
r3 = r10
r3 += -8
r4 = 0
call 181
r0 = *(u64 *)(r10 - 8)
exit
cb:
*(u8 *)(r2 + 0) = 0
r0 = 0
exit
