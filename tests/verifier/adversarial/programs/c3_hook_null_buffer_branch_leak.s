# expect: accept
# run: empty -> 0
# class: 3
# why: if r1 == 0, return the frame pointer. The runtime never passes NULL (empty buffers are empty_memory(); NULL with a length is refused), so this branch is dead in every engine and the verifier may treat it so
if r1 == 0 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
