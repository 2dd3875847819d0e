# expect: reject
# class: packet
# why: a checked packet pointer used after bpf_xdp_adjust_head
# type: xdp
r6 = r1
r2 = *(u32 *)(r6 + 0)
r3 = *(u32 *)(r6 + 4)
r7 = r2
r4 = r2
r4 += 14
if r4 > r3 goto out
r1 = r6
r2 = 10
call 44
r0 = *(u8 *)(r7 + 0)
exit
out:
r0 = 2
exit
