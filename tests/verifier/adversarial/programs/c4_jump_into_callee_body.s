# expect: reject
# class: 4
# why: the main function jumps into the middle of a subprogram
r0 = 0
if r2 > 3 goto inside
call f
exit
f:
r0 = 1
inside:
r0 += 2
exit
