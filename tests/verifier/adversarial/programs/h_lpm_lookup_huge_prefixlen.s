# expect: accept
# class: helper
# why: bpf_map_lookup_elem on an LPM trie with prefixlen 0xffffffff: must not read past the 4-byte key data
# map: lpm_trie 8 8 4 flags=1
# run: empty -> 0
r1 = -1
*(u32 *)(r10 - 8) = r1
*(u32 *)(r10 - 4) = 0x0100000a
r1 = map_by_idx(0)
r2 = r10
r2 += -8
call 1
if r0 == 0 goto out
r0 = 1
exit
out:
r0 = 0
exit
