# expect: reject
# class: stack
# why: main, a bpf_loop callback and a subprogram it calls each use 512 bytes of stack: the callback's frames count in the combined limit (Linux: 512)
*(u64 *)(r10 - 512) = 0
r1 = 1
r2 = func(pc cb)
r3 = 0
r4 = 0
call 181
r0 = *(u64 *)(r10 - 512)
exit
cb:
*(u64 *)(r10 - 512) = 0
call sub
r0 = 0
exit
sub:
*(u64 *)(r10 - 512) = 1
r0 = 0
exit
