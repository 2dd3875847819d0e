# expect: accept
# class: 8
# why: a callback returning 1 stops bpf_loop, which returns the number of iterations done
# run: empty -> 5
r1 = 1000
r2 = func(pc cb)
r3 = 0
r4 = 0
call 181
exit
cb:
r0 = 0
if r1 < 4 goto +1
r0 = 1
exit
