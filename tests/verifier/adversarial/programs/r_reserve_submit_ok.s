# expect: accept
# class: ringbuf
# why: reserve, fill, submit: the record reaches the consumer
# map: ringbuf 0 0 4096
# run: empty -> 1
r1 = map_by_idx(0)
r2 = 8
r3 = 0
call 131
if r0 == 0 goto out
r1 = 0x1122334455667788 ll
*(u64 *)(r0 + 0) = r1
r1 = r0
r2 = 0
call 132
r0 = 1
exit
out:
r0 = 0
exit
