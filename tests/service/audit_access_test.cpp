// The audit log's chain (reopen continues it; an edit, a removal or a torn
// line is found) and the access list's format.
#include <gtest/gtest.h>

#include <fstream>

#include "ebpf/error.hpp"
#include "service_test_support.hpp"

namespace ebpf::service::test {
namespace {

std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
    std::ofstream out(path, std::ios::trunc);
    for (const auto& line : lines) out << line << "\n";
}

TEST(ServiceAudit, ChainContinuesAcrossReopenAndFindsTampering) {
    TempDir dir;
    const std::string path = dir.file("audit.jsonl");
    {
        AuditLog log(path);
        log.append({{"who", "a"}});
        log.append({{"who", "b"}});
    }
    {
        AuditLog log(path);  // reopened: continues the chain
        log.append({{"who", "c"}});
    }
    {
        // Two logs on one file (two instances on one host) keep one chain.
        AuditLog first(path), second(path);
        first.append({{"who", "d"}});
        second.append({{"who", "e"}});
        first.append({{"who", "f"}});
    }
    auto check = check_audit_log(path);
    ASSERT_TRUE(check.ok) << check.problem;
    EXPECT_EQ(check.entries, 6u);
    const auto good = lines_of(path);
    EXPECT_EQ(nlohmann::json::parse(good[0])["prev"], std::string(64, '0'));
    EXPECT_EQ(nlohmann::json::parse(good[5])["seq"], 6);

    auto edited = good;
    edited[2].replace(edited[2].find("\"c\""), 3, "\"x\"");
    write_lines(path, edited);
    check = check_audit_log(path);
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.problem.find(":4: chain broken"), std::string::npos) << check.problem;

    auto removed = good;
    removed.erase(removed.begin() + 1);
    write_lines(path, removed);
    check = check_audit_log(path);
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.problem.find(":2: chain broken"), std::string::npos) << check.problem;

    write_lines(path, good);
    std::ofstream(path, std::ios::app) << "{\"torn\":";
    check = check_audit_log(path);
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.problem.find("partial last line"), std::string::npos) << check.problem;
    AuditLog reopened(path);
    EXPECT_THROW(reopened.append({{"who", "g"}}), Error);  // never chains onto a torn line
}

TEST(ServiceAccess, TokensAreHashedAndTypesParsed) {
    const std::string text = "# comment\n"
                             "token " + token_hash_line("secret-1") + " ci xdp,socket_filter  # trailing\n"
                             "token " + token_hash_line("secret-2") + " ops *\n"
                             "cert agent.example agent hook\n";
    const auto access = AccessList::from_text(text, "access");
    auto ci = access.for_token("secret-1");
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->name, "ci");
    EXPECT_TRUE(ci->allows(ProgramType::xdp));
    EXPECT_TRUE(ci->allows(ProgramType::socket_filter));
    EXPECT_FALSE(ci->allows(ProgramType::hook));
    EXPECT_TRUE(access.for_token("secret-2")->allows(ProgramType::hook));
    EXPECT_FALSE(access.for_token("secret-3"));
    EXPECT_FALSE(access.for_token(""));
    EXPECT_FALSE(access.for_token(token_hash_line("secret-1")));  // the hash is not the token
    EXPECT_EQ(access.for_certificate("agent.example")->name, "agent");
    EXPECT_FALSE(access.for_certificate("agent.example2"));
    EXPECT_EQ(token_hash_line("abc"), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    for (const std::string& bad : std::vector<std::string>{"token sha256:abc ci *", "token " + token_hash_line("x") + " ci kprobe",
                                  "token " + token_hash_line("x") + " ci", "key abc ci *", "",
                                  "token " + token_hash_line("x") + " ci * extra"}) {
        EXPECT_THROW(AccessList::from_text(bad, "access"), Error) << bad;
    }
}

TEST(ServiceAccess, DigestSyntax) {
    EXPECT_TRUE(is_valid_digest("sha256:" + std::string(64, 'f')));
    EXPECT_FALSE(is_valid_digest("sha256:" + std::string(64, 'F')));
    EXPECT_FALSE(is_valid_digest("sha256:" + std::string(63, 'f')));
    EXPECT_FALSE(is_valid_digest("sha256:" + std::string(62, 'f') + "/."));
    EXPECT_FALSE(is_valid_digest(std::string(64, 'f')));
}

}  // namespace
}  // namespace ebpf::service::test
