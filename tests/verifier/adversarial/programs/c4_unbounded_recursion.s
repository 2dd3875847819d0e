# expect: reject
# class: 4
# why: a function calling itself without a bound
call f
exit
f:
call f
r0 = 0
exit
