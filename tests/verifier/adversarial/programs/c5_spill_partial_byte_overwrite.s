# expect: reject
# class: 5
# why: spill r10, overwrite one byte, read the 8 bytes back: the rest is the frame address
*(u64 *)(r10 - 8) = r10
*(u8 *)(r10 - 8) = 0
r0 = *(u64 *)(r10 - 8)
exit
