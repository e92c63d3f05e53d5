// End-to-end: `dbroll fleet` over SQLite tenant files in a temp directory.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "dbroll/driver.h"
#include "tests/support/cli_project.h"

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;

class FleetCliTest : public CliProjectTest {
 protected:
  FleetCliTest()
      : CliProjectTest("[migrations]\ndir = \"migrations\"\n[fleet]\ntargets_glob = \"tenants/*.db\"\n") {}
  void SetUp() override {
    CliProjectTest::SetUp();
    fs::create_directories(dir_ / "tenants");
    for (int i = 1; i <= 3; ++i) Pair(i);
    for (int t = 1; t <= 6; ++t) std::ofstream(dir_ / "tenants" / ("t" + std::to_string(t) + ".db"));
  }

  void Pair(int i) {
    const fs::path d = dir_ / "migrations" / ("0000" + std::to_string(i) + "_t" + std::to_string(i));
    fs::create_directories(d);
    std::ofstream(d / "up.sql") << "CREATE TABLE t" << i << " (id integer);\n";
    std::ofstream(d / "down.sql") << "DROP TABLE t" << i << ";\n";
  }
  std::string Query(int tenant, const std::string& sql) {
    auto r = OpenSqlite("tenants/t" + std::to_string(tenant) + ".db")->Query(sql);
    return r.ok() && !r->empty() && r->front()[0] ? *r->front()[0] : "?";
  }
  // The output with the milliseconds and the run id fixed, so it compares whole.
  static std::string Stable(const std::string& out) {
    std::string s = std::regex_replace(out, std::regex(R"(\d+ ms)"), "N ms");
    return std::regex_replace(s, std::regex(R"(\(run [0-9TZ]+-[0-9a-f]+\))"), "(run ID)");
  }
};

TEST_F(FleetCliTest, MigratePrintsALinePerTargetAndASummary) {
  CliResult r = Dbroll("fleet migrate --parallel 1");
  ASSERT_EQ(r.code, 0) << r.out;
  std::string want;
  for (int t = 1; t <= 6; ++t) want += "ok   sqlite:tenants/t" + std::to_string(t) + ".db  00000 -> 00003  N ms\n";
  want += "fleet migrate: 6 ok, 0 failed, 0 skipped of 6 target(s) in N ms (run ID)\n";
  EXPECT_EQ(Stable(r.out), want);
  for (int t = 1; t <= 6; ++t) EXPECT_EQ(Query(t, "select count(*) from dbroll_history"), "3");
}

TEST_F(FleetCliTest, FailedTenantStopsAtMaxFailuresAndRollsBackTheOthers) {
  ASSERT_EQ(Dbroll("fleet migrate --parallel 2").code, 0);
  Pair(4);
  ASSERT_EQ(Query(3, "create table t4 (x int)"), "?");
  CliResult r = Dbroll("fleet migrate --parallel 1 --max-failures 1 --rollback-on-failure");
  EXPECT_EQ(r.code, 13) << r.out;
  EXPECT_EQ(Stable(r.out),
            "ok   sqlite:tenants/t1.db  00003 -> 00004  N ms\n"
            "ok   sqlite:tenants/t2.db  00003 -> 00004  N ms\n"
            "FAIL sqlite:tenants/t3.db  00003 -> 00003  N ms  migrations/00004_t4/up.sql:1:1: table t4 already "
            "exists (SQLSTATE SQLITE_1) -- fix the migration and migrate again; the database was not "
            "changed\n"
            "dbroll: rolling back 2 target(s) this run migrated\n"
            "back sqlite:tenants/t2.db  00004 -> 00003  N ms\n"
            "back sqlite:tenants/t1.db  00004 -> 00003  N ms\n"
            "dbroll: stopped starting targets after 1 failure(s) (max failures 1)\n"
            "fleet migrate: 0 ok, 1 failed, 3 skipped, 2 rolled back of 6 target(s) in N ms (run ID)\n");
  for (int t : {1, 2, 4, 5, 6}) {
    EXPECT_EQ(Query(t, "select count(*) from dbroll_history where version = '00004'"), "0") << t;
  }
}

TEST_F(FleetCliTest, StatusJsonCountsVersionsAsStrings) {
  ASSERT_EQ(Dbroll("fleet migrate --to 00002").code, 0);
  std::ofstream(dir_ / "tenants" / "t7.db");
  CliResult r = Dbroll("--format json fleet status");
  ASSERT_EQ(r.code, 0) << r.out;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["newest_version"], "00003");
  EXPECT_EQ(doc["versions"], nlohmann::json::parse(R"({"00002": 6, "00000": 1})"));
  EXPECT_EQ(doc["stragglers"].size(), 7u);
  EXPECT_EQ(doc["failed"].size(), 0u);
}

TEST_F(FleetCliTest, JsonEventsPerTargetAndSummary) {
  CliResult r = Dbroll("--format json fleet migrate --parallel 2");
  ASSERT_EQ(r.code, 0) << r.out;
  std::istringstream in(r.out);
  std::string line;
  int targets = 0;
  nlohmann::json last;
  while (std::getline(in, line)) {
    last = nlohmann::json::parse(line);
    if (last["event"] == "fleet_target") {
      ++targets;
      EXPECT_EQ(last["outcome"], "ok");
      EXPECT_EQ(last["to_version"], "00003");
      EXPECT_TRUE(last["from_version"].is_null());
    }
  }
  EXPECT_EQ(targets, 6);
  EXPECT_EQ(last["event"], "fleet_summary");
  EXPECT_EQ(last["ok"], 6);
  EXPECT_EQ(last["outcome"], "ok");
}

TEST_F(FleetCliTest, FailingCanaryGateStopsTheRest) {
  std::ofstream(dir_ / "dbroll.toml", std::ios::app) << "canary_gate = \"echo not healthy >&2; exit 1\"\n";
  CliResult r = Dbroll("fleet migrate --canary 2 --parallel 2");
  EXPECT_EQ(r.code, 13) << r.out;
  EXPECT_NE(r.out.find("dbroll: the canary gate failed: `echo not healthy >&2; exit 1` exited with 1: not healthy; "
                       "the rest were not started"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Query(3, "select count(*) from sqlite_master where name = 'dbroll_history'"), "0");
}

TEST_F(FleetCliTest, DownToAVersionOnEveryTarget) {
  ASSERT_EQ(Dbroll("fleet migrate").code, 0);
  CliResult r = Dbroll("fleet down --to 00001");
  ASSERT_EQ(r.code, 0) << r.out;
  for (int t = 1; t <= 6; ++t) EXPECT_EQ(Query(t, "select max(version) from dbroll_history"), "00001");
}

TEST_F(FleetCliTest, FailingTargetsCommandIsAUsageError) {
  std::ofstream(dir_ / "dbroll.toml") << "[fleet]\ntargets_command = \"exit 7\"\n";
  CliResult r = Dbroll("fleet migrate");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(r.out, "dbroll: error: " + (dir_ / "dbroll.toml").string() +
                       ": [fleet] targets_command `exit 7` exited with 7 -- fix the command; no target was touched\n");
}

}  // namespace
}  // namespace dbroll::testing
