# expect: reject
# class: 4
# why: bpf_loop's callback is an instruction inside the main function
r1 = 1
r2 = func(pc cb)
r3 = 0
r4 = 0
call 181
r0 = 0
cb:
r0 = 0
exit
