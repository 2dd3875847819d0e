# expect: reject
# class: division
# why: divide the frame pointer
r0 = r10
r0 /= 3
exit
