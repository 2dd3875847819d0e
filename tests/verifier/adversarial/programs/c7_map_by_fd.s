# expect: reject
# class: 7
# why: LDDW map by fd (src 1): a kernel fd the object cannot bind
# map: array 4 8 1
r1 = map_by_fd(3)
r0 = 0
exit
