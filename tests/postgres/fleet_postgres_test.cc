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

}  // namespace
}  // namespace dbroll::testing
