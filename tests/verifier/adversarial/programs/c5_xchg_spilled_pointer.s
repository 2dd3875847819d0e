# expect: reject
# class: 5
# why: atomic xchg on a stack slot holding a spilled pointer returns the address as a number
*(u64 *)(r10 - 8) = r10
r2 = 0
r2 = xchg_64(r10 - 8, r2)
r0 = r2
exit
