# expect: reject
# class: uninit
# why: read 8 bytes never written
r0 = *(u64 *)(r10 - 8)
exit
