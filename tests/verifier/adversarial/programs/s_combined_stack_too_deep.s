# expect: reject
# class: stack
# why: three frames of 256 bytes each (combined stack over 512)
*(u64 *)(r10 - 256) = 0
call f
r0 = 0
exit
f:
*(u64 *)(r10 - 256) = 0
call g
exit
g:
*(u64 *)(r10 - 256) = 0
r0 = 0
exit
