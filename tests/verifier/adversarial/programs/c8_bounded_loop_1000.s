# expect: accept
# class: 8
# why: a counted loop of 1000 steps
# run: empty -> 499500
r0 = 0
r1 = 0
loop:
r0 += r1
r1 += 1
if r1 < 1000 goto loop
exit
