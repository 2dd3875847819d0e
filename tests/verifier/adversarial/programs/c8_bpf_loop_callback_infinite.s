# expect: reject infinite loop
# class: 8
# why: a bpf_loop callback that loops forever
r1 = 4
r2 = func(pc cb)
r3 = 0
r4 = 0
call 181
r0 = 0
exit
cb:
r0 = 0
goto -1
