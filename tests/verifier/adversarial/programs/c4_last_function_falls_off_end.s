# expect: reject
# class: 4
# why: the last function ends with a conditional jump and no exit
call f
exit
f:
r0 = 0
if r1 != 0 goto +0
