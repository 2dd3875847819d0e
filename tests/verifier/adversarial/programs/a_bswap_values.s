# expect: accept
# class: alu
# why: bswap16/32/64 and be/le of a constant: identical in every engine
# run: empty
r1 = 0x0102030405060708 ll
r2 = r1
r2 = bswap16 r2
r3 = r1
r3 = bswap32 r3
r4 = r1
r4 = bswap64 r4
r5 = r1
r5 = be16 r5
r0 = r2
r0 ^= r3
r0 ^= r4
r0 ^= r5
exit
