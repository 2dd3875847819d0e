# expect: reject
# class: 4
# why: the main function jumps to the first instruction of a bpf_loop callback
r1 = 1
r2 = func(pc cb)
r3 = 0
r4 = 0
call 181
if r0 != 7 goto cb
exit
cb:
r0 = 0
exit
