# `ebpf run --asm` without --mem: r1 must still point somewhere (the verifier
# treats it as never NULL, so the branch below is never verified).
if r1 == 0 goto null
r0 = 1
exit
null:
r0 = *(u64 *)(r1 + 0)
exit
