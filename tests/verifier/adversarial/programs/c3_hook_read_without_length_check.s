# expect: reject
# class: 3
# why: read the first byte of the input without comparing r2
r0 = *(u8 *)(r1 + 0)
exit
