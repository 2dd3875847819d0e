# expect: reject
# class: helper
# why: call helper 9999
call 9999
r0 = 0
exit
