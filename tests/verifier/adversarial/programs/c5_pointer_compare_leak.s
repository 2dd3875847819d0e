# expect: reject
# class: 5
# why: compare the frame pointer with a constant to learn its bits
r0 = 0
r3 = 0x7ff000000000 ll
if r10 > r3 goto +1
r0 = 1
exit
