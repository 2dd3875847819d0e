# expect: reject
# class: ctx
# why: a 2-byte read of xdp_md.data (half a pointer)
# type: xdp
r0 = *(u16 *)(r1 + 0)
exit
