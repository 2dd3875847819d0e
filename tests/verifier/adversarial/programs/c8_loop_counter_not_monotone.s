# expect: reject
# class: 8
# why: a loop whose counter goes down and up again
r0 = 0
r1 = 0
loop:
r1 += 1
r1 &= 3
if r1 < 10 goto loop
exit
