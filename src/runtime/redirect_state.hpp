// The redirect helpers' side of redirect_state.cpp (internal).
#pragma once

#include "ebpf/runtime.hpp"

namespace ebpf::runtime_detail {

// Clones one thread may hold between two take_cloned_frames() calls.
inline constexpr size_t kMaxClonedFrames = 1024;

RedirectTarget& redirect_slot();
void add_cloned_frame(ClonedFrame frame);
bool cloned_frames_full();

}  // namespace ebpf::runtime_detail
