# expect: accept
# class: stack
# why: a callee writes through a pointer to its caller's frame: fine
# run: empty -> 9
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
call f
r0 = *(u64 *)(r10 - 8)
exit
f:
*(u64 *)(r1 + 0) = 9
r0 = 0
exit
