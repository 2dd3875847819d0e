# expect: accept
# class: stack
# why: main, callback and subprogram, 128 bytes each: within 512 combined
# run: empty -> 0
*(u64 *)(r10 - 128) = 0
r1 = 2
r2 = func(pc cb)
r3 = 0
r4 = 0
call 181
r0 = *(u64 *)(r10 - 128)
exit
cb:
*(u64 *)(r10 - 128) = 0
call sub
r0 = 0
exit
sub:
*(u64 *)(r10 - 128) = 1
r0 = 0
exit
