// The redirect program with BPF_F_INGRESS set in its config (see redirect_ifindex.c).
#include "redirect_ifindex.c"
