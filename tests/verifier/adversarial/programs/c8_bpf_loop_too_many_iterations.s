# expect: accept
# class: 8
# why: bpf_loop with more than 1<<23 iterations returns -E2BIG without running the callback
# run: empty -> -7
r1 = 0x800001
r2 = func(pc cb)
r3 = 0
r4 = 0
call 181
exit
cb:
r0 = 0
exit
