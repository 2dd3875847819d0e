# expect: accept
# class: 6
# why: grow the packet by 16 bytes and pass it: the packet output must not carry host bytes
# type: xdp
# run: zeros(14) -> 2
r2 = 16
call 65
r0 = 2
exit
