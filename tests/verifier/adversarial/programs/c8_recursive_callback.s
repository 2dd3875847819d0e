# expect: reject call stack too deep
# class: 8
# why: a bpf_loop callback that passes itself to bpf_loop again (Linux: the call stack grows past 8 frames)
# run: empty
r1 = 0x800000
r2 = func(pc cb)
r3 = 0
r4 = 0
call 181
r0 = 0
exit
cb:
r1 = 0x800000
r2 = func(pc cb)
r3 = 0
r4 = 0
call 181
r0 = 0
exit
