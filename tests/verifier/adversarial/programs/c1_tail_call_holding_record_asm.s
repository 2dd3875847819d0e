# expect: reject
# class: 1
# why: bpf_tail_call while holding a reserved ring buffer record (assembler, empty prog_array)
# map: ringbuf 0 0 4096
# map: prog_array 4 4 4
r6 = r1
r1 = map_by_idx(0)
r2 = 8
r3 = 0
call 131
if r0 == 0 goto out
r7 = r0
r1 = r6
r2 = map_by_idx(1)
r3 = 0
call 12
r1 = r7
r2 = 0
call 133
out:
r0 = 0
exit
