# expect: accept
# class: 4
# why: a subprogram whose loop jumps back to its own first instruction
# run: empty -> 5
r1 = 0
call f
exit
f:
r1 += 1
if r1 < 5 goto f
r0 = r1
exit
