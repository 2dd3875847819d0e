# expect: reject
# class: 3
# why: read XDP metadata without checking it against data
# type: xdp
r2 = *(u32 *)(r1 + 8)
r0 = *(u32 *)(r2 + 0)
exit
