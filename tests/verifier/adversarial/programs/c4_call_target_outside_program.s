# expect: reject
# class: 4
# why: call pc+100 past the end
call pc+100
r0 = 0
exit
