# expect: accept
# class: 8
# why: three nested bpf_loop(1<<23): 2^69 callback runs
# run: empty
r1 = 0x800000
r2 = func(pc l1)
r3 = 0
r4 = 0
call 181
r0 = 0
exit
l1:
r1 = 0x800000
r2 = func(pc l2)
r3 = 0
r4 = 0
call 181
r0 = 0
exit
l2:
r1 = 0x800000
r2 = func(pc l3)
r3 = 0
r4 = 0
call 181
r0 = 0
exit
l3:
r0 = 0
exit
