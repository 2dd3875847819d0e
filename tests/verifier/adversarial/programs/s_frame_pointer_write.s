# expect: reject
# class: stack
# why: r10 += 8 (the frame pointer is read-only)
r10 += 8
r0 = 0
exit
