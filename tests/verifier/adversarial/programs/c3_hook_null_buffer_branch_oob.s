# expect: accept
# run: empty -> 0
# class: 3
# why: if r1 == 0, read the stack out of bounds. The runtime never passes NULL (empty buffers are empty_memory(); NULL with a length is refused), so this branch is dead in every engine and the verifier may treat it so
if r1 != 0 goto ok
r0 = *(u64 *)(r10 + 8)
exit
ok:
r0 = 0
exit
