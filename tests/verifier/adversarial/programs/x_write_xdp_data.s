# expect: reject
# class: ctx
# why: write xdp_md.data
# type: xdp
r2 = 0
*(u32 *)(r1 + 0) = r2
r0 = 2
exit
