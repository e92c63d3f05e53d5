// Runs the real dbroll binary: exit codes, formats and --base on a temp git repo.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;

struct CmdResult {
  int rc;
  std::string out;
};

CmdResult Sh(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  return {WEXITSTATUS(st), out};
}

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

class LintCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dbroll-lint-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    Write(dir_ / "dbroll.toml", "[lint]\ntarget = \"postgres:15\"\n");
    Write(dir_ / "migrations/0001_users/up.sql", "CREATE TABLE users (id int, email text);\n");
    Write(dir_ / "migrations/0001_users/down.sql", "DROP TABLE users;\n");
  }
  void TearDown() override { fs::remove_all(dir_); }
  CmdResult Lint(const std::string& args) {
    return Sh(std::string(DBROLL_BINARY) + " -C " + dir_.string() + " " + args);
  }
  fs::path dir_;
};

TEST_F(LintCliTest, CleanProjectExitsZero) {
  CmdResult r = Lint("lint");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(r.out, "2 file(s) checked: 0 error(s), 0 warning(s)\n");
}

TEST_F(LintCliTest, FindingExitsOneWithCaret) {
  Write(dir_ / "migrations/0002_drop/up.sql", "SELECT 1; ALTER TABLE users DROP COLUMN email;\n");
  Write(dir_ / "migrations/0002_drop/down.sql", "ALTER TABLE users ADD COLUMN email text;\n");
  CmdResult r = Lint("lint");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("migrations/0002_drop/up.sql:1:11: error [drop-column] column users.email is dropped"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    SELECT 1; ALTER TABLE users DROP COLUMN email;\n              ^\n"), std::string::npos);
}

TEST_F(LintCliTest, WarningsOnlyFailWithStrict) {
  Write(dir_ / "migrations/0002_null/up.sql", "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;\n");
  Write(dir_ / "migrations/0002_null/down.sql", "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n");
  Write(dir_ / "dbroll.toml", "[lint]\ntarget = \"postgres:15\"\n[postgres]\nlock_timeout = \"5s\"\n");
  CmdResult r = Lint("lint --format json");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("\"drop-not-null\""), std::string::npos) << r.out;
  EXPECT_EQ(Lint("lint --strict").rc, 1);
}

TEST_F(LintCliTest, BadFormatIsUsageError) {
  CmdResult r = Lint("--format xml lint");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.out.find("--format: xml not in {text,json,sarif,github,junit}"), std::string::npos) << r.out;
}

TEST_F(LintCliTest, BaseModeLintsOnlyChangesAndRejectsEdits) {
  ASSERT_EQ(Sh("cd " + dir_.string() + " && git init -q -b main && git add -A && "
               "git -c user.email=t@t -c user.name=t commit -qm base").rc, 0);
  // A new migration with a finding, and an edit of the merged one.
  Write(dir_ / "migrations/0002_t/up.sql", "TRUNCATE users;\n");
  Write(dir_ / "migrations/0002_t/down.sql", "SELECT 1;\n");
  CmdResult r = Lint("lint --base main --format json");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("\"truncate\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("edited-merged-migration"), std::string::npos) << r.out;
  Write(dir_ / "migrations/0001_users/up.sql", "CREATE TABLE users (id bigint, email text);\n");
  r = Lint("lint --base main");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("migrations/0001_users/up.sql:1:1: error [edited-merged-migration]"), std::string::npos)
      << r.out;
  EXPECT_EQ(Lint("lint --base no-such-ref").rc, 2);
}

// The PostgreSQL driver sets lock_timeout (5s unless [postgres] lock_timeout
// says otherwise) on every session: missing-lock-timeout only speaks when the
// project turned that off.
TEST_F(LintCliTest, DriverLockTimeoutKeepsMissingLockTimeoutQuiet) {
  Write(dir_ / "migrations/0002_b/up.sql", "ALTER TABLE users ADD COLUMN b int;\n");
  Write(dir_ / "migrations/0002_b/down.sql", "ALTER TABLE users DROP COLUMN b;\n");
  CmdResult r = Lint("lint --strict");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(r.out, "4 file(s) checked: 0 error(s), 0 warning(s)\n");
  Write(dir_ / "dbroll.toml", "[lint]\ntarget = \"postgres:15\"\n[postgres]\nlock_timeout = \"0\"\n");
  r = Lint("lint");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("migrations/0002_b/up.sql:1:1: warning [missing-lock-timeout] table users is locked with no "
                       "lock_timeout set: while it waits, every query on the table queues behind it\n"),
            std::string::npos)
      << r.out;
}

// The bundled example passes lint for every dialect it ships.
TEST(LintExampleTest, ExampleHasNoErrorsForAnyDialect) {
  for (const std::string url : {"postgres://localhost/example", "mysql://localhost/example", "sqlite:example.db"}) {
    CmdResult r = Sh("DBROLL_URL=" + url + " DATABASE_URL= " + std::string(DBROLL_BINARY) + " -C " +
                     DBROLL_SOURCE_DIR + "/migrations-example lint");
    EXPECT_EQ(r.rc, 0) << url << "\n" << r.out;
    EXPECT_NE(r.out.find(" 0 error(s), "), std::string::npos) << url << "\n" << r.out;
  }
}

}  // namespace
