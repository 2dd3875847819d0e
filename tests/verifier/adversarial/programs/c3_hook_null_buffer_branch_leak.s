# expect: reject
# class: 3
# why: if r1 == 0 (the runtime passes NULL for an empty buffer), return the frame pointer: the branch is not dead
if r1 == 0 goto leak
r0 = 0
exit
leak:
r0 = r10
exit
