# expect: accept
# class: alu
# why: signed division by a zero register is 0
# run: empty -> 0
r1 = -7
r2 = 0
r1 s/= r2
r0 = r1
exit
