# expect: reject
# class: 4
# why: a subprogram jumps (goto) to another subprogram's first instruction
call f
r6 = r0
call g
r0 += r6
exit
f:
r0 = 1
goto g
g:
r0 = 2
exit
