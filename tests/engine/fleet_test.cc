// dbroll::Fleet over SQLite tenant files in a temporary project directory.
#include "dbroll/fleet.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dbroll/driver.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dbroll-fleet-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "tenants");
    for (int i = 1; i <= 3; ++i) AddMigration(i);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  void AddMigration(int i) {
    char v[8];
    std::snprintf(v, sizeof v, "%04d", i);
    const fs::path m = dir_ / "migrations" / (std::string(v) + "_t" + std::to_string(i));
    Write(m / "up.sql", "CREATE TABLE t" + std::to_string(i) + " (id integer);\n");
    Write(m / "down.sql", "DROP TABLE t" + std::to_string(i) + ";\n");
  }
  Config MakeConfig(int tenants) {
    Config c = DefaultConfig(dir_.string());
    c.path = (dir_ / "dbroll.toml").string();
    std::string list;
    for (int i = 1; i <= tenants; ++i) list += (i > 1 ? "\n" : "") + Tenant(i);
    c.sections["fleet"]["targets"] = list;
    return c;
  }
  static std::string Tenant(int i) { return "sqlite:tenants/t" + std::to_string(i) + ".db"; }
  // Runs `sql` on tenant i (a table that makes a migration fail there).
  // `no_wait`: a locked file is an error at once, not after the busy timeout.
  Result<std::unique_ptr<Driver>> OpenTenant(int i, bool no_wait = false) {
    DriverOptions d;
    d.url = Tenant(i);
    d.base_dir = dir_.string();
    if (no_wait) d.settings["sqlite.busy_timeout"] = "0s";
    return OpenDriver(d);
  }
  void Exec(int i, const std::string& sql) {
    auto drv = OpenTenant(i);
    ASSERT_TRUE(drv.ok()) << drv.status().ToString();
    Statement s;
    s.text = sql;
    ASSERT_TRUE((*drv)->RunStatement(s).ok());
  }
  std::string VersionOf(int i) {
    EngineOptions o;
    o.url = Tenant(i);
    o.base_dir = dir_.string();
    o.read_only = true;
    auto e = Engine::Open(o);
    if (!e.ok()) return "error: " + e.status().ToString();
    auto st = (*e)->GetStatus();
    return st.ok() ? st->current_version : "error: " + st.status().ToString();
  }
  std::unique_ptr<Fleet> Open(const Config& c) {
    auto f = Fleet::Open(c);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? std::move(f).value() : nullptr;
  }
  static std::vector<std::string> Outcomes(const FleetReport& r) {
    std::vector<std::string> out;
    for (const auto& t : r.targets) out.push_back(t.target + " " + t.outcome);
    return out;
  }

  fs::path dir_;
};

TEST_F(FleetTest, TargetsFromListGlobAndCommandInOrderEachOnce) {
  Write(dir_ / "tenants" / "b.db", "");
  Write(dir_ / "tenants" / "a.db", "");
  Write(dir_ / "registry.txt", "# tenants\nsqlite:tenants/x.db\n\nsqlite:tenants/a.db\n");
  Config c = DefaultConfig(dir_.string());
  c.sections["fleet"]["targets"] = "sqlite:first.db\npostgres://u:secret@h/db,x";
  c.sections["fleet"]["targets_glob"] = "tenants/*.db";
  c.sections["fleet"]["targets_command"] = "cat registry.txt";
  auto t = ResolveFleetTargets(c);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t.value(), (std::vector<std::string>{"sqlite:first.db", "postgres://u:secret@h/db,x",
                                                 "sqlite:tenants/a.db", "sqlite:tenants/b.db",
                                                 "sqlite:tenants/x.db"}));
}

TEST_F(FleetTest, ConfigKeepsUrlsWithCommasWhole) {
  Write(dir_ / "dbroll.toml",
        "[fleet]\ntargets = [\"postgres://h1:5432,h2:5432/db?target_session_attrs=read-write\", \"sqlite:a.db\"]\n"
        "canary_gate = \"true\"\n");
  auto c = LoadConfig((dir_ / "dbroll.toml").string());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto t = ResolveFleetTargets(c.value());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t.value(), (std::vector<std::string>{"postgres://h1:5432,h2:5432/db?target_session_attrs=read-write",
                                                 "sqlite:a.db"}));
}

TEST_F(FleetTest, UnknownFleetKeyIsAnError) {
  Write(dir_ / "dbroll.toml", "[fleet]\ntarget = [\"sqlite:a.db\"]\n");
  auto c = LoadConfig((dir_ / "dbroll.toml").string());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), (dir_ / "dbroll.toml").string() +
                                      ":2:1: unknown key 'target' in [fleet] -- see docs/config.md for the keys dbroll "
                                      "reads");
}

TEST_F(FleetTest, SchemasBecomeSearchPathTargets) {
  Config c = DefaultConfig(dir_.string());
  c.sections["fleet"]["schemas_url"] = "postgres://h/app?sslmode=disable";
  c.sections["fleet"]["schemas"] = "tenant_a\ntenant_b";
  auto t = ResolveFleetTargets(c);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t.value(), (std::vector<std::string>{"postgres://h/app?sslmode=disable&search_path=tenant_a",
                                                 "postgres://h/app?sslmode=disable&search_path=tenant_b"}));
}

TEST_F(FleetTest, FailingTargetsCommandIsAClearError) {
  Config c = DefaultConfig(dir_.string());
  c.path = "dbroll.toml";
  c.sections["fleet"]["targets_command"] = "echo registry down; exit 3";
  auto t = ResolveFleetTargets(c);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "dbroll.toml: [fleet] targets_command `echo registry down; exit 3` exited with 3: registry down -- fix "
            "the command; no target was touched");
}

TEST_F(FleetTest, NoTargetsIsAClearError) {
  Config c = DefaultConfig(dir_.string());
  c.path = "dbroll.toml";
  auto t = ResolveFleetTargets(c);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "dbroll.toml: [fleet] names no target -- set targets = [\"url\", ...], targets_glob = \"tenants/*.db\", "
            "targets_command = \"...\" or schemas_url with schemas (docs/fleet.md)");
}

TEST_F(FleetTest, MigratesEveryTargetAndRecordsTheRun) {
  auto fleet = Open(MakeConfig(5));
  ASSERT_TRUE(fleet);
  FleetOptions o;
  o.parallel = 2;
  int calls = 0;
  o.on_target = [&](const FleetTargetResult&) { ++calls; };
  auto r = fleet->Migrate(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(calls, 5);
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(VersionOf(i), "0003") << i;
  for (const auto& t : r->targets) {
    EXPECT_EQ(t.from_version, "");
    EXPECT_EQ(t.to_version, "0003");
  }
  // A second run has nothing to do and is a run of its own.
  auto again = fleet->Migrate(o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->targets[0].from_version, "0003");
  auto runs = fleet->Runs(10);
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].run_id, again->run_id);
  EXPECT_EQ((*runs)[1].targets.size(), 5u);
  EXPECT_TRUE(fs::exists(dir_ / ".dbroll-fleet.db"));
}

// dbroll changes a tenant's journal mode only while it migrates it (WAL, for
// fewer fsyncs): a file in the default (delete) mode is left in delete mode
// without a -journal, -wal or marker file, a WAL file stays WAL, and neither
// is left locked.
TEST_F(FleetTest, TenantFilesKeepTheirJournalModeAndAreLeftUnlocked) {
  Exec(2, "PRAGMA journal_mode=WAL");
  FleetOptions two_workers;
  two_workers.parallel = 2;
  std::unique_ptr<Fleet> fleet = Open(MakeConfig(2));
  ASSERT_NE(fleet, nullptr);
  auto run = fleet->Migrate(two_workers);
  ASSERT_TRUE(run.ok() && run->ok()) << (run.ok() ? run->stop_reason : run.status().ToString());
  EXPECT_FALSE(fs::exists(dir_ / "tenants" / "t1.db-journal"));
  for (int i = 1; i <= 2; ++i) {
    EXPECT_EQ(VersionOf(i), "0003");
    auto tenant = OpenTenant(i, /*no_wait=*/true);
    ASSERT_TRUE(tenant.ok()) << tenant.status().ToString();
    auto mode = (*tenant)->Query("PRAGMA journal_mode");
    ASSERT_TRUE(mode.ok() && !mode->empty()) << i;
    EXPECT_EQ(mode->front()[0].value_or(""), i == 1 ? "delete" : "wal");
    EXPECT_TRUE((*tenant)->RunTransaction({Statement{"CREATE TABLE after_run (id int)", "", 1, 1, 0}}, {}).ok()) << i;
  }
  for (const char* left : {"t1.db-journal", "t1.db-wal", "t1.db-dbroll-wal", "t2.db-dbroll-wal"}) {
    EXPECT_FALSE(fs::exists(dir_ / "tenants" / left)) << left;
  }
}

TEST_F(FleetTest, MaxFailuresStopsStartingTargetsOthersKeepTheirVersion) {
  Exec(2, "CREATE TABLE t2 (x int)");
  auto fleet = Open(MakeConfig(5));
  ASSERT_TRUE(fleet);
  FleetOptions o;
  o.parallel = 1;
  o.max_failures = 1;
  auto r = fleet->Migrate(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Outcomes(r.value()),
            (std::vector<std::string>{Tenant(1) + " ok", Tenant(2) + " failed", Tenant(3) + " skipped",
                                      Tenant(4) + " skipped", Tenant(5) + " skipped"}));
  EXPECT_EQ(r->stop_reason, "stopped starting targets after 1 failure(s) (max failures 1)");
  EXPECT_EQ(r->targets[1].error,
            "migrations/0002_t2/up.sql:1:1: table t2 already exists (SQLSTATE SQLITE_1) -- fix the migration and "
            "migrate again; the database was not changed");
  EXPECT_EQ(VersionOf(1), "0003");
  EXPECT_EQ(VersionOf(2), "0001");
  EXPECT_EQ(VersionOf(3), "");
}

TEST_F(FleetTest, FailureOfTheLastTargetHoldsNothingBack) {
  Exec(2, "CREATE TABLE t1 (x int)");
  auto fleet = Open(MakeConfig(2));
  ASSERT_TRUE(fleet);
  FleetOptions o;
  o.parallel = 1;
  o.max_failures = 1;
  auto r = fleet->Migrate(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stop_reason, "");
  EXPECT_EQ(r->failed(), 1);
  EXPECT_FALSE(r->ok());
}

TEST_F(FleetTest, RollbackOnFailureUndoesWhatThisRunMigratedNewestFirst) {
  auto first = Open(MakeConfig(4));
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->Migrate({}).ok());
  AddMigration(4);
  Exec(3, "CREATE TABLE t4 (x int)");
  auto fleet = Open(MakeConfig(4));
  ASSERT_TRUE(fleet);
  FleetOptions o;
  o.parallel = 1;
  o.max_failures = 1;
  o.rollback_on_failure = true;
  std::vector<std::string> seen;
  o.on_target = [&](const FleetTargetResult& t) { seen.push_back(t.target + " " + t.outcome); };
  auto r = fleet->Migrate(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(seen, (std::vector<std::string>{Tenant(1) + " ok", Tenant(2) + " ok", Tenant(3) + " failed",
                                            Tenant(2) + " rolled-back", Tenant(1) + " rolled-back"}));
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(VersionOf(i), "0003") << i;
  EXPECT_EQ(VersionOf(4), "0003");  // never started
}

TEST_F(FleetTest, CanaryFailureStopsTheRest) {
  Exec(1, "CREATE TABLE t1 (x int)");
  auto fleet = Open(MakeConfig(4));
  ASSERT_TRUE(fleet);
  FleetOptions o;
  o.parallel = 2;
  o.canary = 2;
  auto r = fleet->Migrate(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stop_reason, "the canary failed on 1 of 2 target(s); the rest were not started");
  EXPECT_EQ(VersionOf(2), "0003");
  EXPECT_EQ(VersionOf(3), "");
  EXPECT_EQ(VersionOf(4), "");
}

TEST_F(FleetTest, FailingCanaryGateCommandStopsTheRest) {
  auto fleet = Open(MakeConfig(4));
  ASSERT_TRUE(fleet);
  FleetOptions o;
  o.parallel = 2;
  o.canary = 1;
  o.canary_gate = NewFleetCanaryGate("echo unhealthy; exit 4", dir_.string());
  auto r = fleet->Migrate(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stop_reason,
            "the canary gate failed: `echo unhealthy; exit 4` exited with 4: unhealthy; the rest were not started");
  EXPECT_EQ(VersionOf(1), "0003");
  EXPECT_EQ(VersionOf(2), "");
}

TEST_F(FleetTest, UnansweredCanaryGateUrlStopsTheRest) {
  auto fleet = Open(MakeConfig(3));
  ASSERT_TRUE(fleet);
  FleetOptions o;
  o.parallel = 1;
  o.canary = 1;
  o.canary_gate = NewFleetCanaryGate("http://127.0.0.1:1/health?token=secret", dir_.string());
  auto r = fleet->Migrate(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stop_reason.rfind("the canary gate failed: http://127.0.0.1:1/health answered ", 0), 0u)
      << r->stop_reason;
  EXPECT_EQ(r->stop_reason.find("secret"), std::string::npos) << r->stop_reason;
  EXPECT_EQ(VersionOf(1), "0003");
  EXPECT_EQ(VersionOf(2), "");
}

TEST_F(FleetTest, PassingCanaryGateLetsTheRestRunInWaves) {
  auto fleet = Open(MakeConfig(5));
  ASSERT_TRUE(fleet);
  FleetOptions o;
  o.parallel = 2;
  o.canary = 1;
  o.wave_size = 2;
  o.canary_gate = NewFleetCanaryGate("test -d migrations", dir_.string());
  std::vector<std::string> notices;
  o.on_notice = [&](const std::string& n) { notices.push_back(n); };
  auto r = fleet->Migrate(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(notices, (std::vector<std::string>{"canary: 1 target(s) first", "canary gate passed",
                                               "wave: targets 2-3", "wave: targets 4-5"}));
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(VersionOf(i), "0003") << i;
}

TEST_F(FleetTest, StatusCountsVersionsStragglersAndFailures) {
  auto fleet = Open(MakeConfig(3));
  ASSERT_TRUE(fleet);
  FleetOptions o;
  o.migrate.to = "0002";
  ASSERT_TRUE(fleet->Migrate(o).ok());
  auto all = Open(MakeConfig(1));
  ASSERT_TRUE(all->Migrate({}).ok());
  auto st = fleet->GetStatus({});
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->newest_version, "0003");
  const FleetStatusSummary s = SummarizeFleetStatus(st.value());
  EXPECT_EQ(s.versions, (std::map<std::string, int>{{"0002", 2}, {"0003", 1}}));
  ASSERT_EQ(s.stragglers.size(), 2u);
  EXPECT_EQ(s.stragglers[0]->pending, 1);
  EXPECT_TRUE(s.failed.empty());
}

TEST_F(FleetTest, StatusNamesTheErrorOfTheLastRunOnATargetStillBehind) {
  Exec(2, "CREATE TABLE t3 (x int)");
  auto fleet = Open(MakeConfig(3));
  ASSERT_TRUE(fleet);
  ASSERT_TRUE(fleet->Migrate({}).ok());
  auto st = fleet->GetStatus({});
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  const FleetStatusSummary s = SummarizeFleetStatus(st.value());
  EXPECT_EQ(s.versions, (std::map<std::string, int>{{"0003", 2}}));
  ASSERT_EQ(s.failed.size(), 1u);
  EXPECT_EQ(s.failed[0]->target, Tenant(2));
  EXPECT_EQ(s.failed[0]->to_version, "0002");
  auto runs = fleet->Runs(1);
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(s.failed[0]->error, "the last fleet migrate (run " + (*runs)[0].run_id +
                                    ") failed here: migrations/0003_t3/up.sql:1:1: table t3 already exists (SQLSTATE "
                                    "SQLITE_1) -- fix the migration and migrate again; the database was "
                                    "not changed");
}

TEST_F(FleetTest, DownRollsBackEveryTarget) {
  auto fleet = Open(MakeConfig(3));
  ASSERT_TRUE(fleet);
  ASSERT_TRUE(fleet->Migrate({}).ok());
  FleetOptions o;
  o.down.to = "0001";
  auto r = fleet->Down(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok());
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(VersionOf(i), "0001") << i;
  EXPECT_EQ(r->targets[0].from_version, "0003");
  EXPECT_EQ(r->targets[0].to_version, "0001");
}

TEST_F(FleetTest, PasswordsNeverReachTheReport) {
  Config c = DefaultConfig(dir_.string());
  c.sections["fleet"]["targets"] = "postgres://u:hunter2secret@127.0.0.1:1/db";
  auto fleet = Open(c);
  ASSERT_TRUE(fleet);
  auto r = fleet->GetStatus({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->targets.size(), 1u);
  EXPECT_EQ(r->targets[0].outcome, "failed");
  EXPECT_EQ(r->targets[0].target.find("hunter2"), std::string::npos);
  EXPECT_EQ(r->targets[0].error.find("hunter2"), std::string::npos) << r->targets[0].error;
}

}  // namespace
}  // namespace dbroll
