# expect: reject
# class: 4
# why: two calls into the same subprogram, one at its start and one in its middle
call f
r6 = r0
call g
r0 += r6
exit
f:
r0 = 1
g:
r0 += 1
exit
