# expect: accept
# class: packet
# why: bpf_xdp_adjust_head(+100) on a 14-byte packet: must fail
# type: xdp
# run: zeros(14) -> 2
r2 = 100
call 44
r1 = r0
r0 = 2
if r1 != 0 goto +1
r0 = 1
exit
