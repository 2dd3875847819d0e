# expect: reject
# class: 5
# why: a 2-byte register store into a spilled context pointer, then an 8-byte read
*(u64 *)(r10 - 16) = r1
r3 = 7
*(u16 *)(r10 - 14) = r3
r0 = *(u64 *)(r10 - 16)
exit
