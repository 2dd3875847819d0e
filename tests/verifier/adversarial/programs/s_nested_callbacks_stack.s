# expect: reject
# class: stack
# why: nested bpf_loop callbacks, 256 bytes each, 4 levels deep (1 KiB combined)
*(u64 *)(r10 - 256) = 0
r1 = 1
r2 = func(pc l1)
r3 = 0
r4 = 0
call 181
r0 = 0
exit
l1:
*(u64 *)(r10 - 256) = 0
r1 = 1
r2 = func(pc l2)
r3 = 0
r4 = 0
call 181
r0 = 0
exit
l2:
*(u64 *)(r10 - 256) = 0
r1 = 1
r2 = func(pc l3)
r3 = 0
r4 = 0
call 181
r0 = 0
exit
l3:
*(u64 *)(r10 - 256) = 0
r0 = 0
exit
