# expect: accept
# class: division
# why: r1 % 0 is r1
# run: empty -> 10
r1 = 10
r2 = 0
r1 %= r2
r0 = r1
exit
