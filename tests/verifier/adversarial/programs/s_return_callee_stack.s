# expect: reject
# class: stack
# why: a callee returns a pointer into its own frame; the caller reads it
call f
r0 = *(u64 *)(r0 + 0)
exit
f:
*(u64 *)(r10 - 8) = 5
r0 = r10
r0 += -8
exit
