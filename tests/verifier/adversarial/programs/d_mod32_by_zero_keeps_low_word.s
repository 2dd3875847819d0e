# expect: accept
# class: division
# why: w1 % 0 keeps w1, zero-extended
# run: empty -> 4294967295
r1 = -1
w2 = 0
w1 %= w2
r0 = r1
exit
