# expect: reject
# class: 4
# why: a call that never runs targets the middle of the main function, splitting it for native code
r0 = 0
if r0 == 0 goto skip
call mid
skip:
r0 = 1
mid:
r0 += 2
exit
