# expect: reject
# class: 5
# why: bswap64 on a pointer
r0 = r10
r0 = bswap64 r0
exit
