# expect: reject
# class: stack
# why: store at r10 - 520
*(u64 *)(r10 - 520) = 0
r0 = 0
exit
