# expect: accept
# class: alu
# why: INT32_MIN s% -1 in 32 bits
# run: empty -> 0
w1 = 0x80000000
w2 = -1
w1 s%= w2
r0 = r1
exit
