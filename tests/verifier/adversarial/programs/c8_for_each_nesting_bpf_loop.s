# expect: accept
# class: 8
# why: bpf_for_each_map_elem over 64 entries, each running bpf_loop(1<<23) whose callback runs bpf_loop(1<<23)
# map: array 4 8 64
# run: empty
r1 = map_by_idx(0)
r2 = func(pc each)
r3 = 0
r4 = 0
call 164
r0 = 0
exit
each:
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
