# expect: reject
# class: 4
# why: a subprogram jumps into its caller's body
r0 = 0
call f
back:
r0 += 1
exit
f:
r0 = 5
if r1 != 0 goto back
exit
