# expect: reject
# class: 5
# why: spill r10, overwrite the low word, read the high word: half an address
*(u64 *)(r10 - 8) = r10
*(u32 *)(r10 - 8) = 0
r0 = *(u32 *)(r10 - 4)
exit
