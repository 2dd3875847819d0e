# expect: accept
# class: alu
# why: INT32_MIN s/ -1 in 32 bits (immediate divisor)
# run: empty -> 2147483648
w1 = 0x80000000
w1 s/= -1
r0 = r1
exit
