# expect: reject
# class: ctx
# why: ctx + (variable) then a read
# type: xdp
r2 = *(u32 *)(r1 + 12)
r2 &= 4
r1 += r2
r0 = *(u32 *)(r1 + 12)
exit
