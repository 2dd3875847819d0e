// The cgroups a case names (bpf_skb_under_cgroup with a cgroup_array), on
// cgroup v2: "/" is the hierarchy's root, "." the cgroup the test process
// started in, and any other name (e.g. "child/inner") a cgroup created under
// "." for the case (named after the process, so parallel tests never share
// one) and removed when the scope ends. A run may move the process into one
// of them (Run::cgroup); the scope moves it back.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace realworld {

class CgroupScope {
public:
    // Why cgroups cannot be used here (no cgroup2 mount, no permission to
    // create one); empty when they can.
    static std::string unusable_reason();
    CgroupScope();
    CgroupScope(const CgroupScope&) = delete;
    CgroupScope& operator=(const CgroupScope&) = delete;
    ~CgroupScope();
    // The directory of the cgroup `name`, created when needed. Throws std::runtime_error.
    std::string directory(const std::string& name);
    // An fd of the directory (the caller closes it).
    int open(const std::string& name);
    // Moves the process into `name` ("" or "." back where it started).
    void join(const std::string& name);

private:
    std::string mount_, start_;         // the cgroup2 mount; the starting cgroup's directory
    std::vector<std::string> created_;  // in creation order
    bool moved_ = false;
};

}  // namespace realworld
