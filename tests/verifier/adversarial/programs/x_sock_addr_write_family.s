# expect: reject
# class: ctx
# why: write user_family of struct bpf_sock_addr (read-only)
# type: sock_addr
r2 = 2
*(u32 *)(r1 + 0) = r2
r0 = 1
exit
