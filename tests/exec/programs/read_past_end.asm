# Reads 4 bytes at offset 4 without comparing with the length in r2: the
# verifier rejects it for a 4-byte input; unverified (--no-verify), the
# bounds-checked interpreter stops it at run time.
r0 = *(u32 *)(r1 + 4)
exit
