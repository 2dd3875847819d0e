# expect: reject
# class: ctx
# why: an atomic add to the context
# type: sock_addr
r2 = 1
lock *(u32 *)(r1 + 24) += r2
r0 = 1
exit
