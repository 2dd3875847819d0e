# expect: reject
# class: uninit
# why: a callee reads its caller's r6 (callee-saved registers are not passed)
r6 = 1
call f
exit
f:
r0 = r6
exit
