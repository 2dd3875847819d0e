# expect: reject
# class: 5
# why: w0 = w10 + 0 (32-bit ALU on a pointer)
r0 = r10
w0 += 0
exit
