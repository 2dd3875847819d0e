// The REST API: builds that are signed, rejected (the verifier's JSON,
// exactly as `ebpf verify --json`), refused (401/403/429), the module store,
// metrics, queueing under 50 concurrent submissions, graceful shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <future>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/signing.hpp"
#include "service_test_support.hpp"
#include "../cross_exec.hpp"

namespace ebpf::service::test {
namespace {

httplib::Result submit(httplib::Client& client, const std::string& program, const std::string& query = "") {
    const auto object = read_bytes(program_path(program));
    return client.Post("/v1/builds" + query, reinterpret_cast<const char*>(object.data()), object.size(),
                       "application/octet-stream");
}

std::string run_command(const std::string& command) {
    std::string out;
    if (FILE* pipe = popen(command.c_str(), "r")) {
        char buffer[4096];
        size_t n;
        while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
        pclose(pipe);
    }
    return out;
}

size_t stored_modules(const TempDir& dir) {
    size_t count = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(dir.path() / "store" / "modules", ec);
         !ec && it != std::filesystem::directory_iterator(); ++it)
        ++count;
    return count;
}

TEST(ServiceApi, BuildsVerifiesSignsAndServesTheModule) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL);
    TempDir dir;
    START_SERVICE(service, TestService::default_config(dir));
    auto client = service.client();
    auto res = submit(client, "accepted", "?name=accepted.o");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 201) << res->body;
    const auto report = nlohmann::json::parse(res->body);
    const std::string digest = report["module"]["digest"];
    EXPECT_TRUE(is_valid_digest(digest));
    EXPECT_TRUE(is_valid_digest(report["module"]["signed_digest"].get<std::string>()));
    EXPECT_NE(report["module"]["digest"], report["module"]["signed_digest"]);
    EXPECT_EQ(report["module"]["url"], "/v1/modules/" + digest);
    EXPECT_EQ(res->get_header_value("Location"), "/v1/modules/" + digest);
    EXPECT_EQ(report["input"]["name"], "accepted.o");
    const auto object = read_bytes(program_path("accepted"));
    EXPECT_EQ(report["input"]["digest"], "sha256:" + to_hex(sha256(object)));
    ASSERT_EQ(report["programs"].size(), 1u);
    EXPECT_EQ(report["programs"][0]["name"], "sum_bytes");
    EXPECT_EQ(report["programs"][0]["type"], "hook");
    EXPECT_EQ(report["programs"][0]["bytecode_sha256"].get<std::string>().size(), 64u);
    EXPECT_GT(report["programs"][0]["verifier"]["insns_processed"].get<uint64_t>(), 0u);
    EXPECT_NE(report["toolchain"]["compiler"], "unknown");
    EXPECT_FALSE(report["toolchain"]["ebpf_native"].get<std::string>().empty());
    EXPECT_NE(report["signer"]["subject"].get<std::string>().find("ebpf-native development code signing"),
              std::string::npos);
    EXPECT_EQ(report["submitter"], "admin");
    EXPECT_EQ(report["time"].get<std::string>().size(), 20u);  // 2026-01-01T00:00:00Z

    // The module: signed by the service's key, the digests as reported.
    auto module = client.Get("/v1/modules/" + digest);
    ASSERT_TRUE(module);
    ASSERT_EQ(module->status, 200);
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(module->body.data()), module->body.size());
    EXPECT_EQ("sha256:" + to_hex(sha256(bytes)), report["module"]["signed_digest"]);
    EXPECT_EQ("sha256:" + to_hex(sha256(split_signed_module(bytes).module)), digest);
    const auto trust = TrustStore::from_path(dir.path() / "keys" / "trust");
    EXPECT_TRUE(verify_module_signature(bytes, trust).ok()) << verify_module_signature(bytes, trust).reason;
    auto stored_report = client.Get("/v1/modules/" + digest + "/report");
    ASSERT_TRUE(stored_report);
    EXPECT_EQ(stored_report->status, 200);
    EXPECT_EQ(stored_report->body, res->body);
    auto missing = client.Get("/v1/modules/sha256:" + std::string(64, '0'));
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);

    // The audit log says who, what and what was signed.
    service.stop();
    const auto check = check_audit_log(dir.file("audit.jsonl"));
    ASSERT_TRUE(check.ok) << check.problem;
    ASSERT_EQ(check.entries, 1u);
    std::ifstream log(dir.file("audit.jsonl"));
    std::string line;
    std::getline(log, line);
    const auto entry = nlohmann::json::parse(line);
    EXPECT_EQ(entry["who"], "admin");
    EXPECT_EQ(entry["verdict"], "signed");
    EXPECT_EQ(entry["input"]["digest"], report["input"]["digest"]);
    EXPECT_EQ(entry["output"]["module"], digest);
    EXPECT_EQ(entry["output"]["signed"], report["module"]["signed_digest"]);
    EXPECT_EQ(entry["signer"], report["signer"]["subject"]);
}

TEST(ServiceApi, RejectionIsTheVerifierJsonOfEbpfVerify) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL);
    TempDir dir;
    START_SERVICE(service, TestService::default_config(dir));
    auto client = service.client();
    auto res = submit(client, "null_deref", "?name=service_null_deref.o");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 422) << res->body;
    auto remote = nlohmann::json::parse(res->body);
    const std::string local_text = run_command("cd " SERVICE_PROGRAMS_DIR " && " EBPF_TOOL
                                               " verify --json service_null_deref.o");
    auto local = nlohmann::json::parse(local_text);
    ASSERT_TRUE(remote.is_array());
    ASSERT_EQ(remote.size(), local.size());
    // Everything but the time the verifier took.
    for (auto* report : {&remote, &local})
        for (auto& program : *report) program["stats"].erase("seconds");
    EXPECT_EQ(remote, local);
    EXPECT_FALSE(remote[0]["verified"].get<bool>());
    EXPECT_NE(remote[0]["errors"][0]["message"].get<std::string>().find("NULL"), std::string::npos);
    EXPECT_EQ(remote[0]["errors"][0]["line"], 17);  // null_deref.c: *value += 1;
    EXPECT_EQ(stored_modules(dir), 0u) << "nothing is signed that was not verified";
}

TEST(ServiceApi, VerifierBudgetIsA422NotAHang) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL);
    TempDir dir;
    auto config = TestService::default_config(dir);
    config.budget.complexity_limit = 20'000;
    START_SERVICE(service, config);
    auto client = service.client();
    auto res = submit(client, "verifier_workout");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 422) << res->body;
    EXPECT_NE(res->body.find("too complex"), std::string::npos) << res->body;
    auto health = client.Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
}

TEST(ServiceApi, AuthenticationAndProgramTypes) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL);
    TempDir dir;
    START_SERVICE(service, TestService::default_config(dir));
    auto anonymous = service.client("");
    auto res = submit(anonymous, "accepted");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
    EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Bearer");

    auto wrong = service.client("not-a-token");
    res = submit(wrong, "accepted");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
    EXPECT_NE(res->body.find("unknown token"), std::string::npos);

    httplib::Headers basic = {{"Authorization", "Basic YWRtaW46eA=="}};
    const auto object = read_bytes(program_path("accepted"));
    res = anonymous.Post("/v1/builds", basic, reinterpret_cast<const char*>(object.data()), object.size(),
                         "application/octet-stream");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);

    // xdp-bot may have XDP programs signed, nothing else.
    auto xdp_bot = service.client(kXdpToken);
    res = submit(xdp_bot, "accepted");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << res->body;
    EXPECT_NE(res->body.find("xdp-bot may not get hook programs signed"), std::string::npos) << res->body;
    res = submit(xdp_bot, "accepted", "?type=socket_filter");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403);
    EXPECT_EQ(stored_modules(dir), 0u);
    res = submit(xdp_bot, "xdp_pass");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 201) << res->body;
    // A --type override makes the type; the identity check follows it (the
    // hook body is also a valid XDP program: Linux accepts any XDP verdict).
    res = submit(xdp_bot, "accepted", "?type=xdp");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 201) << res->body;
    EXPECT_EQ(nlohmann::json::parse(res->body)["programs"][0]["type"], "xdp");

    service.stop();
    const auto check = check_audit_log(dir.file("audit.jsonl"));
    ASSERT_TRUE(check.ok) << check.problem;
    EXPECT_EQ(check.entries, 7u);
}

TEST(ServiceApi, RateLimitPerIdentity) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL);
    TempDir dir;
    auto config = TestService::default_config(dir);
    config.builds_per_minute = 1;
    config.burst = 2;
    START_SERVICE(service, config);
    auto admin = service.client();
    EXPECT_EQ(submit(admin, "accepted")->status, 201);
    EXPECT_EQ(submit(admin, "accepted")->status, 201);
    auto res = submit(admin, "accepted");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 429);
    EXPECT_EQ(res->get_header_value("Retry-After"), "60");
    // Another identity has its own bucket.
    auto xdp_bot = service.client(kXdpToken);
    EXPECT_EQ(submit(xdp_bot, "xdp_pass")->status, 201);
}

TEST(ServiceApi, FiftyConcurrentSubmissionsAreServedInTurnOrRefused) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL);
    TempDir dir;
    auto config = TestService::default_config(dir);
    config.max_concurrent_builds = 2;
    config.max_queued_builds = 4;
    config.http_threads = 16;
    START_SERVICE(service, config);
    std::vector<std::future<int>> results;
    for (int i = 0; i < 50; ++i) {
        results.push_back(std::async(std::launch::async, [&] {
            auto client = service.client();
            auto res = submit(client, "accepted");
            if (!res) ADD_FAILURE() << httplib::to_string(res.error());
            return res ? res->status : -1;
        }));
    }
    int created = 0, throttled = 0;
    for (auto& result : results) {
        const int status = result.get();
        EXPECT_TRUE(status == 201 || status == 429) << status;
        created += status == 201;
        throttled += status == 429;
    }
    EXPECT_GE(created, 6);  // at least what fits at once (2 running + 4 queued)
    EXPECT_EQ(created + throttled, 50);
    auto client = service.client();
    auto metrics = client.Get("/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_NE(metrics->body.find("ebpf_serve_builds_total{outcome=\"signed\"} " + std::to_string(created)),
              std::string::npos) << metrics->body;
    EXPECT_NE(metrics->body.find("ebpf_serve_builds_total{outcome=\"throttled\"} " + std::to_string(throttled)),
              std::string::npos);
    EXPECT_NE(metrics->body.find("ebpf_serve_build_duration_seconds_count " + std::to_string(created)), std::string::npos);
    EXPECT_NE(metrics->body.find("ebpf_serve_queue_depth 0"), std::string::npos);
    service.stop();
    const auto check = check_audit_log(dir.file("audit.jsonl"));
    ASSERT_TRUE(check.ok) << check.problem;
    EXPECT_EQ(check.entries, 50u);
}

// A compiler that hangs or crashes fails its build, not the service.
TEST(ServiceApi, HangingOrCrashingBuildsFailAlone) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL);
    TempDir dir;
    const std::string hang = dir.file("hanging-cc"), crash = dir.file("crashing-cc");
    std::ofstream(hang) << "#!/bin/sh\nsleep 30\n";
    std::ofstream(crash) << "#!/bin/sh\nkill -SEGV $$\n";
    std::filesystem::permissions(hang, std::filesystem::perms(0755));
    std::filesystem::permissions(crash, std::filesystem::perms(0755));
    auto config = TestService::default_config(dir);
    config.limits.wall_clock = std::chrono::seconds(2);
    START_SERVICE(service, config);
    auto client = service.client();

    ::setenv("CC", hang.c_str(), 1);  // read by the next build's fork
    const auto started = std::chrono::steady_clock::now();
    auto res = submit(client, "accepted");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 422) << res->body;
    EXPECT_NE(res->body.find("wall-clock limit"), std::string::npos) << res->body;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));

    ::setenv("CC", crash.c_str(), 1);
    res = submit(client, "accepted");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 422) << res->body;
    ::unsetenv("CC");
    EXPECT_EQ(submit(client, "accepted")->status, 201);
    EXPECT_EQ(stored_modules(dir), 2u);  // the one module and its report
}

// The rlimits reach the compiler: one that spins is stopped by RLIMIT_CPU
// long before the wall clock, one that writes without end by RLIMIT_FSIZE.
TEST(ServiceApi, CpuAndFileSizeLimitsStopTheCompiler) {
    TempDir dir;
    const std::string spin = dir.file("spinning-cc"), writer = dir.file("writing-cc");
    std::ofstream(spin) << "#!/bin/sh\nwhile :; do :; done\n";
    std::ofstream(writer) << "#!/bin/sh\nexec dd if=/dev/zero of=big bs=1M count=64 status=none\n";
    std::filesystem::permissions(spin, std::filesystem::perms(0755));
    std::filesystem::permissions(writer, std::filesystem::perms(0755));
    auto config = TestService::default_config(dir);
    config.limits.cpu_seconds = 1;
    config.limits.file_bytes = 1 << 20;
    config.limits.wall_clock = std::chrono::seconds(30);
    START_SERVICE(service, config);
    auto client = service.client();

    ::setenv("CC", spin.c_str(), 1);
    const auto started = std::chrono::steady_clock::now();
    auto res = submit(client, "accepted");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 422) << res->body;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(15)) << "stopped by CPU, not wall time";
    EXPECT_EQ(res->body.find("wall-clock"), std::string::npos) << res->body;

    ::setenv("CC", writer.c_str(), 1);
    res = submit(client, "accepted");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 422) << res->body;
    ::unsetenv("CC");
    EXPECT_EQ(stored_modules(dir), 0u);
    EXPECT_EQ(client.Get("/healthz")->status, 200);
}

TEST(ServiceApi, CrashingWorkerFailsItsBuildOnly) {
    TempDir dir;
    auto config = TestService::default_config(dir);
    config.worker.argv = {"/bin/sh", "-c", "kill -SEGV $$", "worker"};
    START_SERVICE(service, config);
    auto client = service.client();
    auto res = submit(client, "accepted");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 422);
    EXPECT_NE(res->body.find("signal 11"), std::string::npos) << res->body;
    EXPECT_EQ(client.Get("/healthz")->status, 200);
}

TEST(ServiceApi, GracefulShutdownFinishesRunningBuilds) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL);
    TempDir dir;
    const std::string slow = dir.file("slow-cc");
    std::ofstream(slow) << "#!/bin/sh\nsleep 1\nexec cc \"$@\"\n";
    std::filesystem::permissions(slow, std::filesystem::perms(0755));
    START_SERVICE(service, TestService::default_config(dir));
    ::setenv("CC", slow.c_str(), 1);
    auto pending = std::async(std::launch::async, [&] {
        auto client = service.client();
        auto res = submit(client, "accepted");
        return res ? res->status : -1;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the build is running
    service.stop();
    EXPECT_EQ(pending.get(), 201);
    ::unsetenv("CC");
    // Stopped: no new connection is served.
    httplib::Client late("127.0.0.1", service.port());
    late.set_connection_timeout(std::chrono::seconds(1));
    EXPECT_FALSE(late.Get("/healthz"));
}

}  // namespace
}  // namespace ebpf::service::test

namespace ebpf::service::test {
namespace {

TEST(ServiceApi, PublishHookSeesEverySignedModule) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL);
    TempDir dir;
    auto config = TestService::default_config(dir);
    std::vector<std::string> published;
    bool fail = false;
    config.publish = [&](const std::string& digest, std::span<const uint8_t> module, const std::string& report,
                         const std::vector<std::string>& programs) -> std::string {
        if (fail) throw Error("registry unreachable");
        EXPECT_EQ("sha256:" + to_hex(sha256(split_signed_module(module).module)), digest);
        EXPECT_EQ(nlohmann::json::parse(report)["module"]["digest"], digest);
        EXPECT_EQ(programs, std::vector<std::string>{"sum_bytes"});
        published.push_back(digest);
        return "localhost:5000/team/mods@sha256:" + std::string(64, 'e');
    };
    START_SERVICE(service, config);
    auto client = service.client();
    auto res = submit(client, "accepted");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 201) << res->body;
    const auto report = nlohmann::json::parse(res->body);
    EXPECT_EQ(report["registry"]["reference"], "localhost:5000/team/mods@sha256:" + std::string(64, 'e'));
    ASSERT_EQ(published.size(), 1u);
    EXPECT_EQ(published[0], report["module"]["digest"]);
    EXPECT_EQ(submit(client, "null_deref")->status, 422);
    EXPECT_EQ(published.size(), 1u) << "a rejected program is never published";

    fail = true;
    res = submit(client, "xdp_pass");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 502);
    EXPECT_NE(res->body.find("registry unreachable"), std::string::npos);
    EXPECT_EQ(stored_modules(dir), 2u);  // only the first module and its report
}

}  // namespace
}  // namespace ebpf::service::test
