# expect: accept
# class: 3
# why: the packet length as data_end - data, returned
# type: xdp
# run: empty -> 0
# run: 010203 -> 3
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r3 -= r2
r0 = r3
r0 &= 3
exit
