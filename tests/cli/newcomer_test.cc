// The CLI as a new user and a CI job meet it: typo suggestions, usage errors
// in one form, exit codes for gates, JSON event streams, progress in CI logs,
// wait, create/drop and .env. The real binary on temp directories and SQLite.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dbroll/options.h"
#include "cli/usage.h"
#include "tests/support/cli_project.h"

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;

class NewcomerTest : public CliProjectTest {
 protected:
  // stdout and stderr apart: the tests tell what goes where.
  CliResult Dbroll(const std::string& args, const std::string& env = "") { return DbrollApart(args, env); }
  static std::vector<nlohmann::json> Lines(const std::string& out) {
    std::vector<nlohmann::json> v;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) v.push_back(nlohmann::json::parse(line));
    }
    return v;
  }
};

TEST(SuggestTest, FindsTranspositionsAndPrefixesButNotStrangers) {
  const std::vector<std::string> commands = {"status", "migrate", "down", "validate", "history"};
  EXPECT_EQ(cli::Suggest("stauts", commands), "status");
  EXPECT_EQ(cli::Suggest("migrat", commands), "migrate");
  EXPECT_EQ(cli::Suggest("hist", commands), "history");
  EXPECT_EQ(cli::Suggest("dwn", commands), "down");
  EXPECT_EQ(cli::Suggest("frobnicate", commands), "");
}

TEST(SuggestTest, WholeNumbersSayWhatWasWrong) {
  EXPECT_EQ(cli::CheckWholeNumber("3", 1), "");
  EXPECT_EQ(cli::CheckWholeNumber("0", 1), "must be a whole number of 1 or more, got 0");
  EXPECT_EQ(cli::CheckWholeNumber("-1", 0), "must be a whole number of 0 or more, got -1");
  EXPECT_EQ(cli::CheckWholeNumber("99999999999999999999", 1),
            "must be a whole number of 1 or more, got 99999999999999999999");
}

TEST_F(NewcomerTest, UnknownCommandSuggestsTheNearestOne) {
  CliResult r = Dbroll("stauts");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "dbroll: error: unknown command \"stauts\" -- did you mean status? (run dbroll --help for the commands)\n");
  CliResult g = Dbroll("--url sqlite:x.db frobnicate");
  EXPECT_EQ(g.code, 2);
  EXPECT_EQ(g.err, "dbroll: error: unknown command \"frobnicate\" -- run dbroll --help for the commands\n");
}

TEST_F(NewcomerTest, UnknownFlagSuggestsTheNearestFlagOfItsCommand) {
  CliResult r = Dbroll("migrate --relase v1");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "dbroll: error: unknown flag --relase for migrate -- did you mean --release? "
            "(run dbroll migrate --help for its flags)\n");
  CliResult s = Dbroll("down --stpes=2");
  EXPECT_EQ(s.err,
            "dbroll: error: unknown flag --stpes for down -- did you mean --steps? "
            "(run dbroll down --help for its flags)\n");
}

TEST_F(NewcomerTest, UnknownGlobalFlagBeforeTheCommandIsNamedNotItsValue) {
  CliResult r = Dbroll("--ulr sqlite:x.db status");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "dbroll: error: unknown flag --ulr -- did you mean --url? "
            "(run dbroll --help for the commands and global flags)\n");
  EXPECT_EQ(Dbroll("--url=sqlite:x.db --format=json status").code, 0);
}

TEST_F(NewcomerTest, UsageErrorsUseTheDocumentedForm) {
  CliResult extras = Dbroll("migrate first second");
  EXPECT_EQ(extras.code, 2);
  EXPECT_EQ(extras.err,
            "dbroll: error: migrate does not take the arguments first second -- run dbroll migrate --help for its flags\n");
  CliResult zero = Dbroll("down --steps 0");
  EXPECT_EQ(zero.code, 2);
  EXPECT_EQ(zero.err,
            "dbroll: error: --steps: must be a whole number of 1 or more, got 0 -- run dbroll down --help for its flags\n");
  CliResult both = Dbroll("down --steps 1 --all");
  EXPECT_EQ(both.err, "dbroll: error: --steps and --all cannot be used together -- pick one\n");
  CliResult none = Dbroll("");
  EXPECT_EQ(none.err, "dbroll: error: no command given -- run dbroll --help for the commands (e.g. dbroll status)\n");
  CliResult version = Dbroll("baseline");
  EXPECT_EQ(version.err, "dbroll: error: baseline needs VERSION -- run dbroll baseline --help for its flags\n");
  CliResult value = Dbroll("status --url");
  EXPECT_EQ(value.code, 2);
  EXPECT_EQ(value.err, "dbroll: error: --url needs a value -- run dbroll status --help for its flags\n");
}

TEST_F(NewcomerTest, UpIsMigrate) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  CliResult r = Dbroll("up");
  ASSERT_EQ(r.code, 0) << r.err;
  CliResult s = Dbroll("status --format json");
  EXPECT_EQ(nlohmann::json::parse(s.out)["current_version"], "0001") << s.out;
}

}  // namespace
}  // namespace dbroll::testing

namespace dbroll::testing {
namespace {

TEST_F(NewcomerTest, StatusExitCodeIsFiveWhilePendingAndZeroWhenUpToDate) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  Pair("0002_b", "CREATE TABLE b (id int);", "DROP TABLE b;");
  EXPECT_EQ(Dbroll("status").code, 0);
  CliResult pending = Dbroll("status --exit-code");
  EXPECT_EQ(pending.code, 5);
  EXPECT_EQ(pending.err, "dbroll: 2 migration(s) pending (0001, 0002) -- migrate to apply them\nnext: dbroll migrate\n");
  ASSERT_EQ(Dbroll("migrate").code, 0);
  CliResult done = Dbroll("status --exit-code --format json");
  EXPECT_EQ(done.code, 0) << done.err;
  EXPECT_EQ(done.err, "");
}

}  // namespace
}  // namespace dbroll::testing

namespace dbroll::testing {
namespace {

// A migration that takes about a second on SQLite.
constexpr const char* kSlowUp =
    "CREATE TABLE slow (x int);\n"
    "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM s WHERE n < 3000000) SELECT count(*) FROM s;\n";

TEST_F(NewcomerTest, CiLogShowsTheStartOfASlowMigrationWhileItRuns) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  Pair("0002_slow", kSlowUp, "DROP TABLE slow;");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(DBROLL_BINARY, "dbroll", "-C", dir_.c_str(), "migrate", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  FILE* out = fdopen(fds[0], "r");
  ASSERT_NE(out, nullptr);
  std::vector<std::string> lines;
  bool running_when_started = false;
  char buf[512];
  while (fgets(buf, sizeof buf, out) != nullptr) {
    lines.emplace_back(buf);
    if (lines.back() == "up    0002_slow ...\n") {
      // The start line arrived through a pipe while the migration still runs.
      running_when_started = waitpid(pid, nullptr, WNOHANG) == 0;
    }
  }
  fclose(out);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(running_when_started);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "up    0001_a ...\n");
  EXPECT_EQ(lines[1].rfind("up    0001_a  ", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2], "up    0002_slow ...\n");
  EXPECT_EQ(lines[3].rfind("up    0002_slow  ", 0), 0u) << lines[3];
  EXPECT_EQ(lines[4].rfind("applied 2 migrations in ", 0), 0u) << lines[4];
  EXPECT_NE(lines[4].find(" ms; schema version 0002\n"), std::string::npos) << lines[4];
}

TEST_F(NewcomerTest, MigrateAndDownSpeakJsonLines) {
  Pair("0001_a", "CREATE TABLE a (id int);\nCREATE TABLE a2 (id int);", "DROP TABLE a2;\nDROP TABLE a;");
  Pair("0002_b", "CREATE TABLE b (id int);", "DROP TABLE b;");
  CliResult up = Dbroll("--format json migrate --release v1");
  ASSERT_EQ(up.code, 0) << up.err;
  std::vector<nlohmann::json> ev = Lines(up.out);
  ASSERT_EQ(ev.size(), 6u) << up.out;
  for (const auto& e : ev) EXPECT_EQ(e["format"], 1) << e;
  EXPECT_EQ(ev[0]["event"], "plan");
  EXPECT_EQ(ev[0]["command"], "migrate");
  EXPECT_EQ(ev[0]["migrations"][0],
            nlohmann::json({{"version", "0001"}, {"name", "a"}, {"direction", "up"}, {"statements", 2}}));
  EXPECT_EQ(ev[1]["event"], "migration_started");
  EXPECT_EQ(ev[1]["version"], "0001");
  EXPECT_EQ(ev[2]["event"], "migration_finished");
  EXPECT_TRUE(ev[2]["ms"].is_number_integer());
  EXPECT_EQ(ev[4]["version"], "0002");
  EXPECT_EQ(ev[5]["event"], "summary");
  EXPECT_EQ(ev[5]["outcome"], "ok");
  EXPECT_EQ(ev[5]["applied"], 2);
  EXPECT_EQ(ev[5]["version"], "0002");

  CliResult down = Dbroll("--format json down --all");
  ASSERT_EQ(down.code, 0) << down.err;
  ev = Lines(down.out);
  ASSERT_EQ(ev.size(), 6u) << down.out;
  EXPECT_EQ(ev[0]["migrations"][0]["version"], "0002");
  EXPECT_EQ(ev[0]["migrations"][0]["direction"], "down");
  EXPECT_EQ(ev[3]["event"], "migration_started");
  EXPECT_EQ(ev[3]["version"], "0001");
  EXPECT_EQ(ev[5]["event"], "summary");
  EXPECT_EQ(ev[5]["rolled_back"], 2);
  EXPECT_TRUE(ev[5]["version"].is_null());

  CliResult h = Dbroll("--format json history");
  ASSERT_EQ(h.code, 0) << h.err;
  auto doc = nlohmann::json::parse(h.out);
  EXPECT_EQ(doc["format"], 1);
  EXPECT_EQ(doc["log"][0]["versions"], nlohmann::json::array({"0002", "0001"}));
}

TEST_F(NewcomerTest, AFailedMigrationIsAnEventWithItsExitCode) {
  Pair("0001_bad", "CREATE TABLE c (id int,,);", "DROP TABLE c;");
  CliResult r = Dbroll("--format json migrate");
  EXPECT_EQ(r.code, 4);
  std::vector<nlohmann::json> ev = Lines(r.out);
  ASSERT_EQ(ev.size(), 5u) << r.out;
  EXPECT_EQ(ev[2]["event"], "migration_failed");
  EXPECT_EQ(ev[2]["code"], "migration-failed");
  EXPECT_EQ(ev[3]["event"], "summary");
  EXPECT_EQ(ev[3]["outcome"], "failed");
  EXPECT_EQ(ev[4]["event"], "error");
  EXPECT_EQ(ev[4]["exit_code"], 4);
  EXPECT_EQ(ev[4]["message"],
            "migrations/0001_bad/up.sql:1:1: near \",\": syntax error (SQLSTATE SQLITE_1) -- fix the migration and "
            "migrate again; the database was not changed");
  // The library says "migrate again"; the CLI names its command.
  EXPECT_EQ(ev[4]["next"], nlohmann::json::array({"dbroll migrate"}));
  EXPECT_EQ("dbroll: error: " + ev[4]["message"].get<std::string>() + "\nnext: dbroll migrate\n", r.err);
  EXPECT_EQ(r.err.rfind("dbroll: error: migrations/0001_bad/up.sql:1:1:", 0), 0u) << r.err;
}

}  // namespace
}  // namespace dbroll::testing

namespace dbroll::testing {
namespace {

TEST_F(NewcomerTest, WaitGivesUpAfterItsTimeoutNamingEachAttempt) {
  const auto t0 = std::chrono::steady_clock::now();
  CliResult r = Dbroll("--url postgres://u@127.0.0.1:1/x wait --timeout 1s");
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.code, 3);
  EXPECT_GE(took, std::chrono::seconds(1));
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_EQ(r.err.rfind("dbroll: waiting for the database: attempt 1 failed: cannot connect to "
                        "postgres://u@127.0.0.1:1/x: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("; next attempt in 250 ms\ndbroll: waiting for the database: attempt 2 failed: "),
            std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dbroll: error: postgres://u@127.0.0.1:1/x: no answer after "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" -- check that the server starts, the URL and the credentials, or wait longer (--timeout)\n"),
            std::string::npos) << r.err;
  CliResult m = Dbroll("--url postgres://u@127.0.0.1:1/x --format json migrate --wait --wait-timeout 300ms");
  EXPECT_EQ(m.code, 3);
  std::vector<nlohmann::json> ev = Lines(m.out);
  ASSERT_GE(ev.size(), 2u) << m.out;
  EXPECT_EQ(ev[0]["event"], "attempt");
  EXPECT_EQ(ev[0]["attempt"], 1);
  EXPECT_EQ(ev.back()["event"], "error");
  EXPECT_EQ(ev.back()["exit_code"], 3);
}

TEST_F(NewcomerTest, WaitReturnsAtOnceWhenTheDatabaseAnswers) {
  CliResult r = Dbroll("wait");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("sqlite:app.db answers (after ", 0), 0u) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "app.db"));  // waiting creates nothing
}

TEST_F(NewcomerTest, CreateAndDropTheSqliteFileDropOnlyWithYes) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  CliResult c = Dbroll("create");
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.out, "sqlite:app.db: database created\n");
  EXPECT_TRUE(fs::exists(dir_ / "app.db"));
  EXPECT_EQ(Dbroll("create").out, "sqlite:app.db already exists: nothing to do\n");
  ASSERT_EQ(Dbroll("migrate").code, 0);
  CliResult refused = Dbroll("drop");
  EXPECT_EQ(refused.code, 2);
  EXPECT_EQ(refused.err,
            "dbroll: error: drop deletes sqlite:app.db with all its data -- run dbroll drop --yes if you mean it; "
            "nothing was dropped\n");
  EXPECT_TRUE(fs::exists(dir_ / "app.db"));
  CliResult d = Dbroll("--format json drop --yes");
  ASSERT_EQ(d.code, 0) << d.err;
  auto ev = Lines(d.out);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0]["event"], "summary");
  EXPECT_EQ(ev[0]["command"], "drop");
  EXPECT_EQ(ev[0]["message"], "sqlite:app.db: database dropped");
  EXPECT_FALSE(fs::exists(dir_ / "app.db"));
  EXPECT_EQ(Dbroll("drop --yes").out, "sqlite:app.db does not exist: nothing to do\n");
}

}  // namespace
}  // namespace dbroll::testing

namespace dbroll::testing {
namespace {

TEST(DotenvTest, ParsesWhatDbmateParses) {
  auto v = ParseDotenv(
      "# comment\n\nDATABASE_URL=sqlite:a.db\nexport A = spaced  # note\nB='lit $x #'\nC=\"q\\\"n\\n\"\r\nD=\n", ".env");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const std::vector<std::pair<std::string, std::string>> want = {
      {"DATABASE_URL", "sqlite:a.db"}, {"A", "spaced"}, {"B", "lit $x #"}, {"C", "q\"n\n"}, {"D", ""}};
  EXPECT_EQ(v.value(), want);
}

TEST(DotenvTest, BadLinesNameTheirPlace) {
  EXPECT_EQ(ParseDotenv("A=1\nnot a line\n", "p/.env").status().message(),
            "p/.env:2:5: expected = -- write NAME=VALUE, or remove the line");
  EXPECT_EQ(ParseDotenv("A=\"open\n", ".env").status().message(),
            ".env:1:3: unclosed \" quote -- write NAME=VALUE, or remove the line");
  EXPECT_EQ(ParseDotenv("=x\n", ".env").status().message(),
            ".env:1:1: expected a variable name -- write NAME=VALUE, or remove the line");
}

TEST_F(NewcomerTest, DotenvFillsTheEnvironmentButNeverOverridesIt) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  std::ofstream(dir_ / "dbroll.toml") << "[database]\nurl = \"sqlite:${DB_FILE}\"\n[migrations]\ndir = \"migrations\"\n";
  std::ofstream(dir_ / ".env") << "DB_FILE=from_env_file.db\n";
  ASSERT_EQ(Dbroll("migrate").code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "from_env_file.db"));
  ASSERT_EQ(Dbroll("migrate", "DB_FILE=real.db").code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "real.db"));

  std::ofstream(dir_ / "dbroll.toml") << "[migrations]\ndir = \"migrations\"\n";
  std::ofstream(dir_ / ".env") << "DATABASE_URL=sqlite:dotenv_url.db\n";
  ASSERT_EQ(Dbroll("migrate", "env -u DATABASE_URL -u DBROLL_URL").code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "dotenv_url.db"));

  std::ofstream(dir_ / ".env") << "DATABASE_URL=sqlite:x.db\nbroken line\n";
  CliResult bad = Dbroll("status");
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, "dbroll: error: " + (dir_ / ".env").string() +
                         ":2:8: expected = -- write NAME=VALUE, or remove the line\n");
}

}  // namespace
}  // namespace dbroll::testing

namespace dbroll::testing {
namespace {

TEST_F(NewcomerTest, RepairReasonIsKeptInTheAuditLog) {
  Pair("0001_a", "CREATE TABLE IF NOT EXISTS a (id int);", "DROP TABLE a;");
  ASSERT_EQ(Dbroll("migrate").code, 0);
  CliResult r = Dbroll("repair --mark-rolled-back 0001 --reason 'dropped by hand, ticket 7'");
  ASSERT_EQ(r.code, 0) << r.err;
  CliResult h = Dbroll("--format json history");
  auto log = nlohmann::json::parse(h.out)["log"];
  ASSERT_EQ(log.size(), 2u) << h.out;
  EXPECT_EQ(log[0]["action"], "repair");
  EXPECT_EQ(log[0]["message"], "version 0001 marked rolled back by hand: dropped by hand, ticket 7");
  ASSERT_EQ(Dbroll("migrate").code, 0);
  ASSERT_EQ(Dbroll("repair --mark-applied 0001 --reason 'ran it in psql'").code, 0);
  h = Dbroll("--format json history -n 1");
  EXPECT_EQ(nlohmann::json::parse(h.out)["log"][0]["message"], "version 0001 marked applied by hand: ran it in psql");
}

TEST_F(NewcomerTest, NoOpMigrateWritesNoLogRowUnlessItRecordsARelease) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  ASSERT_EQ(Dbroll("migrate").code, 0);
  CliResult again = Dbroll("migrate");
  ASSERT_EQ(again.code, 0);
  EXPECT_EQ(again.err, "dbroll: nothing to migrate: the database is up to date\n");
  EXPECT_EQ(nlohmann::json::parse(Dbroll("--format json history").out)["log"].size(), 1u);
  ASSERT_EQ(Dbroll("migrate --release v2").code, 0);
  auto log = nlohmann::json::parse(Dbroll("--format json history").out)["log"];
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["release"], "v2");
}

TEST_F(NewcomerTest, StatusShowsTheReleaseOfTheSchemaAsItIsNow) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  Pair("0002_b", "CREATE TABLE b (id int);", "DROP TABLE b;");
  auto release = [&] { return nlohmann::json::parse(Dbroll("--format json status").out)["current_release"]; };
  ASSERT_EQ(Dbroll("migrate --to 0001 --release v1").code, 0);
  EXPECT_EQ(release(), "v1");
  ASSERT_EQ(Dbroll("migrate").code, 0);  // 0002 without a release: v1 no longer describes the schema
  EXPECT_TRUE(release().is_null());
  ASSERT_EQ(Dbroll("down").code, 0);  // back at v1's schema
  EXPECT_EQ(release(), "v1");
}

TEST_F(NewcomerTest, MigrateAndDownRefuseReleaseTagsThatDeployRefuses) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  const std::string why =
      "release tag \"bad tag\" is not allowed -- use 1 to 128 of A-Z a-z 0-9 . _ + - (not starting with - or .)\n";
  CliResult m = Dbroll("migrate --release 'bad tag'");
  EXPECT_EQ(m.code, 2);
  EXPECT_EQ(m.err, "dbroll: error: " + why);
  EXPECT_FALSE(fs::exists(dir_ / "app.db") && Dbroll("status --exit-code").code == 0);
  ASSERT_EQ(Dbroll("migrate").code, 0);
  CliResult d = Dbroll("down --release 'bad tag'");
  EXPECT_EQ(d.code, 2);
  EXPECT_EQ(d.err, "dbroll: error: " + why);
  EXPECT_EQ(Dbroll("status --exit-code").code, 0);  // still applied
}

TEST_F(NewcomerTest, StatusNamesTheServer) {
  CliResult s = Dbroll("status");
  EXPECT_NE(s.out.find("\nserver: SQLite 3."), std::string::npos) << s.out;
  auto doc = nlohmann::json::parse(Dbroll("status --format json").out);
  EXPECT_EQ(doc["server"].get<std::string>().rfind("SQLite 3.", 0), 0u);
}

}  // namespace
}  // namespace dbroll::testing

namespace dbroll::testing {
namespace {

TEST_F(NewcomerTest, EveryCommandThatReportsSpeaksJson) {
  fs::remove(dir_ / "dbroll.toml");
  CliResult init = Dbroll("--format json init");
  ASSERT_EQ(init.code, 0) << init.err;
  auto ev = Lines(init.out);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0]["command"], "init");
  EXPECT_EQ(ev[0]["files"].size(), 2u);
  CliResult created = Dbroll("--format json new add_users");
  ASSERT_EQ(created.code, 0) << created.err;
  ev = Lines(created.out);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0]["files"][0], (dir_ / "migrations/0001_add_users/up.sql").string());
  CliResult deploy = Dbroll("--format json deploy --release v1");
  ASSERT_EQ(deploy.code, 0) << deploy.err;
  ev = Lines(deploy.out);
  ASSERT_GE(ev.size(), 3u) << deploy.out;
  EXPECT_EQ(ev.front()["event"], "deploy_state");
  EXPECT_EQ(ev.front()["state"], "started");
  EXPECT_EQ(ev.back()["state"], "succeeded");
  CliResult baseline = Dbroll("--format json repair");
  ASSERT_EQ(baseline.code, 0) << baseline.err;
  EXPECT_EQ(Lines(baseline.out).back()["event"], "summary");
}

}  // namespace
}  // namespace dbroll::testing
