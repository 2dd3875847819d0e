# expect: accept
# class: 3
# why: a cgroup/connect4 program rewriting user_port
# type: sock_addr
# run: empty -> 1
r2 = 0x5000
*(u32 *)(r1 + 24) = r2
r0 = 1
exit
