# expect: reject
# class: 2
# why: bpf_map_update_elem on a BPF_F_RDONLY_PROG hash map
# map: hash 4 8 4 flags=0x80
*(u32 *)(r10 - 4) = 0
*(u64 *)(r10 - 16) = 9
r1 = map_by_idx(0)
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
call 2
r0 = 0
exit
