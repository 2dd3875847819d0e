# expect: accept
# class: ctx
# why: a 2-byte read of ingress_ifindex (narrow reads of numbers are fine)
# type: xdp
# run: zeros(14) -> 2
r0 = *(u16 *)(r1 + 12)
r0 &= 0
r0 += 2
exit
