# expect: reject
# class: 5
# why: r0 = r10 & 0xfff
r0 = r10
r0 &= 0xfff
exit
