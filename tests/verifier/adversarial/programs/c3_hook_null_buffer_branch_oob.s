# expect: reject
# class: 3
# why: if r1 == 0, read the stack out of bounds: the verifier must not treat the NULL branch as dead
if r1 != 0 goto ok
r0 = *(u64 *)(r10 + 8)
exit
ok:
r0 = 0
exit
