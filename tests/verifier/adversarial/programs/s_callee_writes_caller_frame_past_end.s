# expect: reject
# class: stack
# why: a callee given a pointer to its caller's last 8 bytes writes 16
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
call f
r0 = 0
exit
f:
*(u64 *)(r1 + 8) = 0
r0 = 0
exit
