# expect: reject
# class: helper
# why: r1..r5 are scratch after a helper call: reading r3 afterwards
r3 = 5
call 8
r0 = r3
exit
