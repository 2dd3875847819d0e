# expect: reject
# class: 5
# why: return the context pointer
r0 = r1
exit
