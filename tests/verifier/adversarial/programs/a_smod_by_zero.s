# expect: accept
# class: alu
# why: signed modulo by zero keeps the dividend
# run: empty -> -7
r1 = -7
r2 = 0
r1 s%= r2
r0 = r1
exit
