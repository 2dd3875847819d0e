# expect: reject
# class: 5
# why: r10 - r1 (stack minus input buffer): a difference between two regions is an address
r0 = r10
r0 -= r1
exit
