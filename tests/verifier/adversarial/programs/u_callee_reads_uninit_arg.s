# expect: reject
# class: uninit
# why: a callee reads r3, which the caller never set
call f
exit
f:
r0 = r3
exit
