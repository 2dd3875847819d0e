# expect: accept
# class: 6
# why: bpf_map_peek_elem on an empty stack map into an uninitialised slot with stale bytes below
# map: stack 0 16 4
# run: empty -> 0
call dirty
call victim
exit
victim:
r1 = map_by_idx(0)
r2 = r10
r2 += -16
call 89
r0 = *(u64 *)(r10 - 8)
exit

dirty:
r1 = 0x4141414141414141 ll
*(u64 *)(r10 - 8) = r1
*(u64 *)(r10 - 16) = r1
*(u64 *)(r10 - 24) = r1
*(u64 *)(r10 - 32) = r1
r0 = 0
exit
