# expect: reject
# class: 5
# why: spill r10 whole, then fill the low 32 bits as a number
*(u64 *)(r10 - 8) = r10
r0 = *(u32 *)(r10 - 8)
exit
