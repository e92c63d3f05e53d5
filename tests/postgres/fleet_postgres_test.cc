// dbroll::Fleet against a real PostgreSQL: a database per tenant, and a
// schema per tenant of one database (search_path), with the run record in
// PostgreSQL too.
#include <filesystem>
#include <fstream>

#include "dbroll/fleet.h"
#include "tests/postgres/pg_server.h"

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;

class FleetPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dbroll-fleet-pg-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    for (int i = 1; i <= 4; ++i) {
      const fs::path m = dir_ / "migrations" / ("000" + std::to_string(i) + "_t" + std::to_string(i));
      fs::create_directories(m);
      std::ofstream(m / "up.sql") << "CREATE TABLE t" << i << " (id integer);\n";
      std::ofstream(m / "down.sql") << "DROP TABLE t" << i << ";\n";
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  Config MakeConfig() {
    Config c = DefaultConfig(dir_.string());
    c.path = (dir_ / "dbroll.toml").string();
    return c;
  }
  // Migrates the fleet of `c` with `parallel` workers; every target must succeed.
  void MigrateEveryTarget(const Config& c, int parallel) {
    auto fleet = Fleet::Open(c);
    ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
    FleetOptions o;
    o.parallel = parallel;
    auto report = (*fleet)->Migrate(o);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->ok());
  }
  fs::path dir_;
};

TEST_F(FleetPostgresTest, DatabasePerTenantFromATargetList) {
  DBROLL_REQUIRE_PG();
  std::vector<std::string> dbs, urls;
  for (int i = 1; i <= 3; ++i) {
    dbs.push_back(PgName("fleet" + std::to_string(i)));
    urls.push_back(PgFreshDatabase(dbs.back()));
  }
  Config c = MakeConfig();
  c.sections["fleet"]["targets"] = urls[0] + "\n" + urls[1] + "\n" + urls[2];
  // The run record in PostgreSQL too (the first tenant's database, a table of its own).
  c.sections["fleet"]["state_url"] = urls[0];
  auto fleet = Fleet::Open(c);
  ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
  FleetOptions o;
  o.parallel = 2;
  auto r = (*fleet)->Migrate(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok());
  for (const std::string& u : urls) {
    auto d = PgOpen(u);
    ASSERT_TRUE(d);
    EXPECT_EQ(PgScalar(*d, "SELECT count(*) FROM dbroll_history"), "4") << u;
  }
  auto runs = (*fleet)->Runs(1);
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].targets.size(), 3u);
  for (const std::string& db : dbs) PgDropDatabase(db);
}

TEST_F(FleetPostgresTest, SchemaPerTenantKeepsHistoryInTheTenantSchema) {
  DBROLL_REQUIRE_PG();
  const std::string db = PgName("fleetschemas");
  const std::string url = PgFreshDatabase(db);
  auto admin = PgOpen(url);
  ASSERT_TRUE(admin);
  for (const char* s : {"tenant_a", "tenant_b", "tenant_c"}) {
    ASSERT_TRUE(admin->RunStatement(Statement{std::string("CREATE SCHEMA ") + s, "", 1, 1, 0}).ok());
  }
  Config c = MakeConfig();
  c.sections["fleet"]["schemas_url"] = url;
  c.sections["fleet"]["schemas_query"] =
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1";
  auto fleet = Fleet::Open(c);
  ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
  ASSERT_EQ((*fleet)->targets().size(), 3u);
  EXPECT_EQ((*fleet)->targets()[0], url + (url.find('?') == std::string::npos ? "?" : "&") + "search_path=tenant_a");
  FleetOptions o;
  o.parallel = 2;
  o.migrate.to = "0003";
  auto r = (*fleet)->Migrate(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok());
  for (const char* s : {"tenant_a", "tenant_b", "tenant_c"}) {
    EXPECT_EQ(PgScalar(*admin, std::string("SELECT count(*) FROM ") + s + ".dbroll_history"), "3") << s;
    EXPECT_EQ(PgScalar(*admin, std::string("SELECT count(*) FROM pg_tables WHERE schemaname = '") + s +
                                   "' AND tablename IN ('t1', 't2', 't3', 't4', 'dbroll_history')"),
              "4")
        << s;
  }
  EXPECT_EQ(PgScalar(*admin, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't%'"),
            "0");
  auto st = (*fleet)->GetStatus({});
  ASSERT_TRUE(st.ok());
  const FleetStatusSummary sum = SummarizeFleetStatus(st.value());
  EXPECT_EQ(sum.versions, (std::map<std::string, int>{{"0003", 3}}));
  EXPECT_EQ(sum.stragglers.size(), 3u);
  admin.reset();
  PgDropDatabase(db);
}

// The schemas of one database share a worker's session (no connection start
// per tenant), and each tenant gets it as a new session would start: what a
// migration of the previous tenant left in the session (a setting, an
// advisory lock, a temporary table) is gone. No session outlives the run.
TEST_F(FleetPostgresTest, SchemasOfOneDatabaseShareAWorkersSessionResetBetweenTenants) {
  DBROLL_REQUIRE_PG();
  fs::remove_all(dir_ / "migrations");
  const fs::path m1 = dir_ / "migrations" / "0001_seen";
  const fs::path m2 = dir_ / "migrations" / "0002_leave";
  fs::create_directories(m1);
  fs::create_directories(m2);
  std::ofstream(m1 / "up.sql") << "CREATE TABLE seen AS SELECT pg_backend_pid() AS pid, "
                                  "current_setting('work_mem') AS work_mem, "
                                  "(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 "
                                  "AND pid = pg_backend_pid()) AS held, "
                                  "to_regclass('pg_temp.leftover') IS NOT NULL AS temp_table;\n";
  std::ofstream(m1 / "down.sql") << "DROP TABLE seen;\n";
  std::ofstream(m2 / "up.sql") << "SET work_mem = '7MB';\nSELECT pg_advisory_lock(4242);\n"
                                  "CREATE TEMP TABLE leftover (x integer);\nCREATE TABLE left_behind (x integer);\n";
  std::ofstream(m2 / "down.sql") << "DROP TABLE left_behind;\n";
  const std::string db = PgName("fleetreuse");
  const std::string url = PgFreshDatabase(db);
  auto admin = PgOpen(url);
  ASSERT_TRUE(admin);
  const std::string work_mem = PgScalar(*admin, "SELECT current_setting('work_mem')");
  ASSERT_NE(work_mem, "7MB");
  Config c = MakeConfig();
  c.sections["fleet"]["schemas_url"] = url;
  // A mixed-case schema: the history is looked up by its exact name.
  c.sections["fleet"]["schemas"] = "tenant_a\nTenant_B\ntenant_c";
  MigrateEveryTarget(c, /*parallel=*/1);
  const std::string pid = PgScalar(*admin, "SELECT pid FROM tenant_a.seen");
  for (const char* s : {"tenant_a", "\"Tenant_B\"", "tenant_c"}) {
    EXPECT_EQ(PgScalar(*admin, std::string("SELECT pid FROM ") + s + ".seen"), pid) << s;
    EXPECT_EQ(PgScalar(*admin, std::string("SELECT work_mem || ' ' || held || ' ' || temp_table FROM ") + s + ".seen"),
              work_mem + " 0 false")
        << s;
    EXPECT_EQ(PgScalar(*admin, std::string("SELECT count(*) FROM ") + s + ".dbroll_history"), "2") << s;
  }
  // Run again: every target finds its history and has nothing to do.
  MigrateEveryTarget(c, /*parallel=*/1);
  EXPECT_EQ(PgScalar(*admin, "SELECT count(*) FROM \"Tenant_B\".dbroll_history"), "2");
  // The pool closed them when the run ended (the server notices a moment later).
  EXPECT_TRUE(PgAwait(*admin,
                      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                      "AND pid <> pg_backend_pid()",
                      "0"));
  admin.reset();
  PgDropDatabase(db);
}

// A server process keeps what it learnt of every schema it served: a worker's
// session is closed after 100 targets and the next one connects anew.
TEST_F(FleetPostgresTest, AWorkersSessionServesAHundredSchemasThenANewOne) {
  DBROLL_REQUIRE_PG();
  fs::remove_all(dir_ / "migrations");
  fs::create_directories(dir_ / "migrations" / "0001_pid");
  std::ofstream(dir_ / "migrations" / "0001_pid" / "up.sql") << "CREATE TABLE pid AS SELECT pg_backend_pid() AS pid;\n";
  std::ofstream(dir_ / "migrations" / "0001_pid" / "down.sql") << "DROP TABLE pid;\n";
  const std::string db = PgName("fleetrecycle");
  const std::string url = PgFreshDatabase(db);
  auto admin = PgOpen(url);
  ASSERT_TRUE(admin);
  std::string schemas, pids;
  for (int i = 1; i <= 101; ++i) {
    const std::string s = "t" + std::to_string(1000 + i);
    schemas += s + "\n";
    pids += (i == 1 ? "" : " UNION ALL ") + ("SELECT '" + s + "' AS s, pid FROM " + s + ".pid");
  }
  Config c = MakeConfig();
  c.sections["fleet"]["schemas_url"] = url;
  c.sections["fleet"]["schemas"] = schemas;
  MigrateEveryTarget(c, /*parallel=*/1);
  EXPECT_EQ(PgScalar(*admin, "SELECT count(DISTINCT pid) || ' ' || count(*) FROM (" + pids + ") p WHERE s < 't1101'"),
            "1 100");
  EXPECT_EQ(PgScalar(*admin, "SELECT count(DISTINCT pid) FROM (" + pids + ") p"), "2");
  admin.reset();
  PgDropDatabase(db);
}

}  // namespace
}  // namespace dbroll::testing
