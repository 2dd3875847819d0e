# expect: reject
# class: 5
# why: xchg puts a pointer into a scalar stack slot; reading it back as a number
*(u64 *)(r10 - 8) = 0
r2 = r10
r2 = xchg_64(r10 - 8, r2)
r0 = *(u64 *)(r10 - 8)
exit
