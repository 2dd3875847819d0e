# expect: reject
# class: packet
# why: arithmetic on data_end
# type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)

r3 += -1
r0 = *(u8 *)(r3 + 0)
exit
