# expect: accept
# class: 8
# why: bpf_loop(1<<23) whose callback runs bpf_loop(1<<23): 2^46 callback runs; must end within the documented budget in every engine
# run: empty
r1 = 0x800000
r2 = func(pc outer)
r3 = 0
r4 = 0
call 181
r0 = 0
exit
outer:
r1 = 0x800000
r2 = func(pc inner)
r3 = 0
r4 = 0
call 181
r0 = 0
exit
inner:
r0 = 0
exit
