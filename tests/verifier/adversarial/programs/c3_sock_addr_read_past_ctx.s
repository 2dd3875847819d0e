# expect: reject
# class: 3
# why: read struct bpf_sock_addr at offset 72 (its end)
# type: sock_addr
r0 = *(u32 *)(r1 + 72)
exit
