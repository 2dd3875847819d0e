# expect: reject
# class: 4
# why: a subprogram without exit falls through into the next function
call f1
r6 = r0
call f2
r0 += r6
exit
f1:
r0 = 1
f2:
r0 = 2
exit
