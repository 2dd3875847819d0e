# expect: reject
# class: ctx
# why: read xdp_md at offset 24
# type: xdp
r0 = *(u32 *)(r1 + 24)
exit
