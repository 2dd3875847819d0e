# expect: accept
# class: 8
# why: a bpf_loop callback that passes itself to bpf_loop again (nested callbacks of the same function)
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
