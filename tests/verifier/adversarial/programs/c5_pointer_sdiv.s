# expect: reject
# class: 5
# why: signed division of a pointer
r0 = r10
r0 s/= 1
exit
