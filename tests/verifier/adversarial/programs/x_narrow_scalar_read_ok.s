# expect: reject
# class: ctx
# why: a 2-byte read of ingress_ifindex: Linux reads every xdp_md field whole (4 bytes), and so do we
# type: xdp
r0 = *(u16 *)(r1 + 12)
r0 &= 0
r0 += 2
exit
