// Compares the MySQL splitter with the mysql client's own splitting: the
// `mariadb` (or `mysql`) command-line client splits a script at its delimiter
// before it sends each statement, and with -vvv echoes each one. Generated
// scripts (without BEGIN ... END bodies while the delimiter is `;`, which only
// dbroll splits whole) run through the client with --force against a scratch
// database; the statements it echoes must be ours, compared without comments
// and whitespace (the client drops comments before sending).
//
// Needs DBROLL_TEST_MYSQL_URL (fails when DBROLL_REQUIRE_SERVERS=1 and it is
// unset). A longer run by hand: DBROLL_FUZZ_ITERATIONS=2000 DBROLL_FUZZ_SEED=7.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/splitter.h"
#include "tests/engine/splitter_fuzz_util.h"
#include "tests/engine/splitter_script_gen.h"
#include "tests/mysql/my_server.h"

namespace dbroll::internal {
namespace {

using testing::FuzzRunFromEnv;

// Drops comments other than /*! ... */ (MySQL rules) and all whitespace.
std::string Normalize(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '\'' || c == '"' || c == '`') {
      const size_t b = i++;
      while (i < s.size()) {
        if (c != '`' && s[i] == '\\') {
          i += 2;
        } else if (s[i] == c && i + 1 < s.size() && s[i + 1] == c) {
          i += 2;
        } else if (s[i++] == c) {
          break;
        }
      }
      out += s.substr(b, i - b);
    } else if (c == '#' || (s.compare(i, 2, "--") == 0 &&
                            (i + 2 >= s.size() || std::isspace(static_cast<unsigned char>(s[i + 2])) ||
                             std::iscntrl(static_cast<unsigned char>(s[i + 2]))))) {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (s.compare(i, 2, "/*") == 0 && s.compare(i, 3, "/*!") != 0) {
      const size_t close = s.find("*/", i + 2);
      i = close == std::string::npos ? s.size() : close + 2;
    } else {
      if (!std::isspace(static_cast<unsigned char>(c))) out += c;
      ++i;
    }
  }
  return out;
}

// The mysql client's arguments for DBROLL_TEST_MYSQL_URL (mysql://user[:password]@host[:port]/db).
std::string ClientArgs(const std::string& url, std::string* password) {
  const size_t sep = url.find("://");
  const std::string rest = url.substr(sep + 3);
  const std::string authority = rest.substr(0, rest.find('/'));
  const size_t at = authority.rfind('@');
  const std::string userinfo = at == std::string::npos ? "" : authority.substr(0, at);
  const std::string hostport = authority.substr(at == std::string::npos ? 0 : at + 1);
  const size_t colon = userinfo.find(':');
  *password = colon == std::string::npos ? "" : userinfo.substr(colon + 1);
  const size_t pc = hostport.rfind(':');
  std::string args = " -h " + hostport.substr(0, pc) + (pc == std::string::npos ? "" : " -P " + hostport.substr(pc + 1));
  if (!userinfo.empty()) args += " -u " + userinfo.substr(0, colon);
  return args;
}

// The statements the client sends for `sql`, as its -vvv echo shows them.
std::vector<std::string> ClientSplit(const std::string& sql, const std::string& args) {
  std::string path = (std::filesystem::temp_directory_path() / "dbroll-split-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) return {"<mkstemp failed>"};
  const bool written = write(fd, sql.data(), sql.size()) == static_cast<ssize_t>(sql.size());
  close(fd);
  std::vector<std::string> out;
  if (written) {
    const std::string cmd = "mariadb --batch --force -vvv" + args + " <" + path + " 2>/dev/null";
    if (FILE* p = popen(cmd.c_str(), "r")) {
      std::string all;
      char buf[4096];
      for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) all.append(buf, n);
      pclose(p);
      bool in = false;
      std::string cur;
      for (size_t b = 0; b < all.size();) {
        size_t e = all.find('\n', b);
        if (e == std::string::npos) e = all.size();
        const std::string line = all.substr(b, e - b);
        b = e + 1;
        if (line == "--------------") {
          if (in) out.push_back(cur);
          in = !in;
          cur.clear();
        } else if (in) {
          cur += line + "\n";
        }
      }
    }
  }
  unlink(path.c_str());
  return out;
}

// A fresh database `db`; returns the mysql client's arguments to reach it
// (a password goes to MYSQL_PWD).
std::string FreshClientDatabase(const std::string& db) {
  testing::MyFreshDatabase(db);
  std::string password;
  const std::string args = ClientArgs(testing::MyAdminUrl(), &password) + " -D " + db;
  if (!password.empty()) setenv("MYSQL_PWD", password.c_str(), 1);
  return args;
}

TEST(SplitterMysqlClientTest, GeneratedScriptsSplitLikeTheMysqlClient) {
  DBROLL_NEED_MYSQL();
  const std::string db = testing::MyName("split");
  const std::string args = FreshClientDatabase(db);
  const auto run = FuzzRunFromEnv(20261205, 60);
  int failures = 0;
  size_t statements = 0;
  for (int i = 0; i < run.iterations && failures < 3; ++i) {
    const uint64_t seed = run.seed + static_cast<uint64_t>(i);
    Rng rng(seed);
    ScriptBuilder b;
    const std::string sql = MysqlScript(rng, &b, /*client=*/true);
    auto ours = SplitStatements("client.sql", sql, Dialect::kMysql);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    std::string got, want;
    for (const Statement& s : ours.value()) got += Normalize(s.text) + "\n";
    for (const std::string& s : ClientSplit(sql, args)) want += Normalize(s) + "\n";
    statements += ours->size();
    if (got != want) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << ": split differs from the mysql client\n--- script ---\n"
                    << sql << "\n--- dbroll (normalized) ---\n" << got << "--- mysql client ---\n" << want;
    }
  }
  EXPECT_GT(statements, static_cast<size_t>(run.iterations)) << "the scripts held statements";
  EXPECT_TRUE(testing::MyAdmin("DROP DATABASE IF EXISTS `" + db + "`").ok());
}

// `--` with no space after it: the client drops it and the rest of the line
// before a statement has begun (`--DROP TABLE t;`), and sends it within one
// (`SELECT 1--1` is 2). dbroll must run exactly what the client runs.
TEST(SplitterMysqlClientTest, DashDashWithoutASpaceSplitsLikeTheMysqlClient) {
  DBROLL_NEED_MYSQL();
  const std::string db = testing::MyName("dashdash");
  const std::string args = FreshClientDatabase(db);
  const std::vector<std::string> scripts = {
      "--DROP TABLE t;\nSELECT 1;\n",
      "SELECT 1--1;\n",
      "SELECT 2\n--x\n;\n",
      "SELECT 3; --SELECT 33;\nSELECT 34;--SELECT 35;\n",
      "   --SELECT 44;\n\t--SELECT 45;\nSELECT 4;\n",
      "/* c */ --SELECT 55;\n# c\n--SELECT 56;\nSELECT 5;\n",
      "SELECT 6 /* c */\n--1\n;\n",
      "SELECT '\n--x';\n",
      "/*\n--SELECT 10;\n*/ SELECT 10;\n",
      "---x\n--\nSELECT 15;\n",
      "--SELECT 131;\r\nSELECT 13;\r\n",
      "DELIMITER //\n--SELECT 121//\nSELECT 12//\nDELIMITER ;\n--SELECT 122;\nSELECT 123;\n",
      "DELIMITER //\nCREATE PROCEDURE p() BEGIN\n--x\nSELECT 1; END//\nDELIMITER ;\n"};
  for (const std::string& sql : scripts) {
    auto ours = SplitStatements("client.sql", sql, Dialect::kMysql);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    std::string got, want;
    for (const Statement& s : ours.value()) got += Normalize(s.text) + "\n";
    for (const std::string& s : ClientSplit(sql, args)) want += Normalize(s) + "\n";
    EXPECT_EQ(got, want) << "--- script ---\n" << sql;
    EXPECT_FALSE(want.empty()) << "the client ran nothing: " << sql;
  }
  EXPECT_TRUE(testing::MyAdmin("DROP DATABASE IF EXISTS `" + db + "`").ok());
}

}  // namespace
}  // namespace dbroll::internal
