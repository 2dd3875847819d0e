# expect: reject
# class: 7
# why: LDDW of a BTF id (src 3): nothing to bind in user space
# map: array 4 8 1
r1 = btf_id(7)
r0 = 0
exit
