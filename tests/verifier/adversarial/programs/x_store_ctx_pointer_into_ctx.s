# expect: reject
# class: ctx
# why: store the context pointer into a writable sock_addr field
# type: sock_addr
*(u32 *)(r1 + 4) = r1
r0 = 1
exit
