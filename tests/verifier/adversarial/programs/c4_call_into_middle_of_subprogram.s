# expect: reject
# class: 4
# why: two calls into the same subprogram, one at its start and one in its middle
r1 = 0
call f
r6 = r0
r1 = 5
call g
r0 += r6
exit
f:
r1 = 1
g:
r1 += 1
r0 = r1
exit
