# expect: reject
# class: 2
# why: an array map created with BPF_F_RDONLY_PROG (0x80): a program store into its value
# map: array 4 8 1 flags=0x80
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map_by_idx(0)
call 1
if r0 == 0 goto out

*(u64 *)(r0 + 0) = 5
r0 = 0
exit

out:
r0 = 0
exit
