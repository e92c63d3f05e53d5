// The conformance suite and the PostgreSQL driver's own behaviour, on a real
// server (DBROLL_TEST_PG_URL).
#include <chrono>
#include <thread>
#include <vector>

#include "drivers/postgres/pg_text.h"
#include "tests/drivers/conformance.h"
#include "tests/postgres/pg_server.h"

namespace dbroll::testing {
namespace pg = ::dbroll::internal::pg;
namespace {

std::vector<std::string>& CreatedDatabases() {
  static std::vector<std::string> dbs;
  return dbs;
}

// Without a server every test here is skipped (or failed when CI requires
// servers), and the databases made for the conformance suite are dropped at exit.
class PgEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { DBROLL_REQUIRE_PG(); }
  void TearDown() override {
    if (PgAdminUrl().empty()) return;
    for (const auto& db : CreatedDatabases()) PgDropDatabase(db);
  }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new PgEnvironment);

Result<std::unique_ptr<Driver>> OpenFresh(bool same) {
  static int n = 0;
  if (!same) {
    CreatedDatabases().push_back(PgName("conf" + std::to_string(++n)));
    PgFreshDatabase(CreatedDatabases().back());
  }
  DriverOptions o;
  o.url = PgUrlFor(CreatedDatabases().back());
  return OpenDriver(o);
}

INSTANTIATE_TEST_SUITE_P(Postgres, DriverConformance, ::testing::Values(DriverFactory{"postgres", &OpenFresh}));

Statement S(const std::string& sql) { return Statement{sql, "up.sql", 1, 1, 0}; }

class PostgresDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DBROLL_REQUIRE_PG();
    db_ = PgName("drv");
    url_ = PgFreshDatabase(db_);
  }
  void TearDown() override {
    if (!db_.empty()) PgDropDatabase(db_);
  }
  std::string db_, url_;
};

TEST_F(PostgresDriverTest, SyntaxErrorNamesTheStatementAndItsBytePosition) {
  // UTF-8 whatever the cluster's default (initdb without LANG gives SQL_ASCII).
  PgDropDatabase(db_);
  ASSERT_TRUE(
      PgAdmin("CREATE DATABASE \"" + db_ + "\" ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0").ok());
  auto d = PgOpen(url_);
  ASSERT_TRUE(d);
  // "é" is two bytes but one character: the position must come back in bytes.
  const std::string bad = "CREATE TABLE \"é_b\" (id int,, x int)";
  Status s = d->RunTransaction({S("CREATE TABLE a (id int)"), S(bad)}, {"CREATE TABLE book (id int)"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kDatabaseError);
  EXPECT_EQ(s.message(), "syntax error at or near \",\" (SQLSTATE 42601)");
  EXPECT_EQ(s.sqlstate(), "42601");
  EXPECT_EQ(s.statement_index(), 1);
  EXPECT_EQ(s.position(), bad.find(",,") + 1);
  EXPECT_EQ(PgScalar(*d, "SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'book')"), "0");
}

TEST_F(PostgresDriverTest, SqlAsciiDatabaseCountsErrorPositionsInBytes) {
  PgDropDatabase(db_);
  ASSERT_TRUE(
      PgAdmin("CREATE DATABASE \"" + db_ + "\" ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
          .ok());
  auto d = PgOpen(url_);
  ASSERT_TRUE(d);
  const std::string bad = "CREATE TABLE \"é_b\" (id int,, x int)";
  Status s = d->RunTransaction({S("CREATE TABLE a (id int)"), S(bad)}, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.statement_index(), 1);
  EXPECT_EQ(s.position(), bad.find(",,") + 1);
}

TEST_F(PostgresDriverTest, RuntimeErrorWithoutPositionIsLocatedByItsResult) {
  auto d = PgOpen(url_);
  ASSERT_TRUE(d);
  Status s = d->RunTransaction({S("CREATE TABLE u (id int PRIMARY KEY)"), S("INSERT INTO u VALUES (1)"),
                                S("INSERT INTO u VALUES (1)"), S("INSERT INTO u VALUES (2)")},
                               {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "duplicate key value violates unique constraint \"u_pkey\" (SQLSTATE 23505); DETAIL: Key (id)=(1) "
            "already exists.");
  EXPECT_EQ(s.statement_index(), 2);
  EXPECT_FALSE(s.position().has_value());
  EXPECT_EQ(PgScalar(*d, "SELECT count(*) FROM pg_tables WHERE tablename = 'u'"), "0");
  // The session is usable again after the rollback.
  EXPECT_TRUE(d->RunTransaction({S("CREATE TABLE u (id int)")}, {}).ok());
}

TEST_F(PostgresDriverTest, HintAndPositionOfAnUnknownFunction) {
  auto d = PgOpen(url_);
  ASSERT_TRUE(d);
  Status s = d->RunStatement(S("SELECT nosuchfunc(1)"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "function nosuchfunc(integer) does not exist (SQLSTATE 42883); HINT: No function matches the given "
            "name and argument types. You might need to add explicit type casts.");
  EXPECT_EQ(s.position(), 7u);
}

TEST_F(PostgresDriverTest, BookkeepingFailureIndexIsPastTheStatements) {
  auto d = PgOpen(url_);
  ASSERT_TRUE(d);
  Status s = d->RunTransaction({S("CREATE TABLE k (id int)")}, {"INSERT INTO k VALUES (1)", "INSERT INTO nope VALUES (1)"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.statement_index(), 2);
  EXPECT_EQ(PgScalar(*d, "SELECT count(*) FROM pg_tables WHERE tablename = 'k'"), "0");
}

TEST_F(PostgresDriverTest, ErrorAtCommitIsReportedAfterEveryStatement) {
  auto d = PgOpen(url_);
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->RunStatement(S("CREATE TABLE p (id int PRIMARY KEY)")).ok());
  ASSERT_TRUE(d->RunStatement(S("CREATE TABLE c (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED)")).ok());
  Status s = d->RunTransaction({S("INSERT INTO c VALUES (42)")}, {"INSERT INTO p VALUES (1)"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.sqlstate(), "23503");
  EXPECT_EQ(s.statement_index(), 2);  // COMMIT, after one statement and one bookkeeping query
  EXPECT_EQ(PgScalar(*d, "SELECT count(*) FROM p"), "0");
}

TEST_F(PostgresDriverTest, TrailingLineCommentDoesNotSwallowTheNextStatement) {
  auto d = PgOpen(url_);
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->RunTransaction({S("CREATE TABLE c1 (id int) -- first"), S("CREATE TABLE c2 (id int) -- second")},
                                {"CREATE TABLE c3 (id int)"})
                  .ok());
  EXPECT_EQ(PgScalar(*d, "SELECT count(*) FROM pg_tables WHERE tablename IN ('c1', 'c2', 'c3')"), "3");
}

TEST_F(PostgresDriverTest, SessionSettingsDefaultAndConfigured) {
  auto d = PgOpen(url_);
  ASSERT_TRUE(d);
  EXPECT_EQ(PgScalar(*d, "SHOW lock_timeout"), "5s");
  auto e = PgOpen(url_, {{"postgres.lock_timeout", "1500ms"}, {"postgres.statement_timeout", "2m"}});
  ASSERT_TRUE(e);
  EXPECT_EQ(PgScalar(*e, "SHOW lock_timeout"), "1500ms");
  EXPECT_EQ(PgScalar(*e, "SHOW statement_timeout"), "2min");
}

TEST_F(PostgresDriverTest, BadDurationSettingIsAnInvalidArgument) {
  DriverOptions o;
  o.url = url_;
  o.settings = {{"postgres.lock_timeout", "soon"}};
  auto d = OpenDriver(o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(d.status().message().rfind("[postgres] lock_timeout = \"soon\": ", 0), 0u) << d.status().message();
}

TEST_F(PostgresDriverTest, StatementTimeoutCancelsALongStatement) {
  auto d = PgOpen(url_, {{"postgres.statement_timeout", "100ms"}});
  ASSERT_TRUE(d);
  Status s = d->RunStatement(S("SELECT pg_sleep(2)"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kDatabaseError);
  EXPECT_EQ(s.message(), "canceling statement due to statement timeout (SQLSTATE 57014)");
}

TEST_F(PostgresDriverTest, TableLockWaitPastLockTimeoutIsALockTimeout) {
  auto holder = PgOpen(url_);
  auto d = PgOpen(url_, {{"postgres.lock_timeout", "200ms"}});
  ASSERT_TRUE(holder && d);
  ASSERT_TRUE(d->RunStatement(S("CREATE TABLE hot (id int)")).ok());
  std::thread t([&] {
    Status s = holder->RunTransaction({S("LOCK TABLE hot IN ACCESS EXCLUSIVE MODE"), S("SELECT pg_sleep(1.5)")}, {});
    EXPECT_TRUE(s.ok()) << s.ToString();
  });
  auto watcher = PgOpen(url_);
  ASSERT_TRUE(watcher);
  EXPECT_TRUE(PgAwait(*watcher, PgExclusiveLocksOn("hot"), "1"));
  Status s = d->RunTransaction({S("ALTER TABLE hot ADD COLUMN extra int")}, {});
  t.join();
  EXPECT_EQ(s.code(), Code::kLockTimeout) << s.ToString();
  EXPECT_EQ(s.sqlstate(), "55P03");
  EXPECT_EQ(s.statement_index(), 0);
  EXPECT_TRUE(d->RunTransaction({S("ALTER TABLE hot ADD COLUMN extra int")}, {}).ok());
}

TEST_F(PostgresDriverTest, TerminatedSessionIsAConnectionLossAndRollsBack) {
  auto d = PgOpen(url_);
  auto admin = PgOpen(url_);
  ASSERT_TRUE(d && admin);
  const std::string pid = PgScalar(*d, "SELECT pg_backend_pid()");
  std::thread killer([&] {
    EXPECT_TRUE(PgAwait(*admin, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid +
                                    " AND query LIKE '%pg_sleep(10)%'",
                        "1"));
    EXPECT_EQ(PgScalar(*admin, "SELECT pg_terminate_backend(" + pid + ")"), "t");
  });
  Status s = d->RunTransaction({S("CREATE TABLE t1 (id int)"), S("SELECT pg_sleep(10)")}, {"CREATE TABLE t2 (id int)"});
  killer.join();
  EXPECT_EQ(s.code(), Code::kConnectionLost);
  EXPECT_EQ(s.message(),
            "the connection to the database was lost: terminating connection due to administrator command "
            "(SQLSTATE 57P01)");
  EXPECT_EQ(s.statement_index(), 1);
  EXPECT_EQ(d->Query("SELECT 1").status().code(), Code::kConnectionLost);
  EXPECT_TRUE(d->Unlock().ok());
  EXPECT_EQ(PgScalar(*admin, "SELECT count(*) FROM pg_tables WHERE tablename IN ('t1', 't2')"), "0");
}

TEST_F(PostgresDriverTest, LockKeyDependsOnTheHistoryTable) {
  DriverOptions a, b;
  a.url = b.url = url_;
  b.history_table = "other_history";
  auto da = OpenDriver(a), db = OpenDriver(b), da2 = OpenDriver(a);
  ASSERT_TRUE(da.ok() && db.ok() && da2.ok());
  ASSERT_TRUE((*da)->Lock(std::chrono::milliseconds(500)).ok());
  EXPECT_TRUE((*db)->Lock(std::chrono::milliseconds(500)).ok());
  EXPECT_EQ((*da2)->Lock(std::chrono::milliseconds(0)).code(), Code::kLockTimeout);
  // The bounded wait must not leave its lock_timeout behind.
  EXPECT_EQ((*da2)->Lock(std::chrono::milliseconds(100)).code(), Code::kLockTimeout);
  EXPECT_EQ(PgScalar(**da2, "SHOW lock_timeout"), "5s");
}

TEST_F(PostgresDriverTest, ConfigSchemaIsCreatedOnTheWritePathAndHoldsNewTables) {
  auto d = PgOpen(url_, {}, "pgt_app");
  ASSERT_TRUE(d);
  // Connecting changes nothing: read-only commands must leave no schema behind.
  EXPECT_EQ(PgScalar(*d, "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgt_app'"), "0");
  ASSERT_TRUE(d->PrepareForWrites().ok());
  ASSERT_TRUE(d->PrepareForWrites().ok());
  ASSERT_TRUE(d->RunStatement(S("CREATE TABLE in_schema (id int)")).ok());
  EXPECT_EQ(PgScalar(*d, "SELECT schemaname FROM pg_tables WHERE tablename = 'in_schema'"), "pgt_app");
  auto again = PgOpen(url_, {}, "pgt_app");  // an existing schema is fine
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->PrepareForWrites().ok());
}

TEST_F(PostgresDriverTest, ReadOnlyDriverRefusesWrites) {
  DriverOptions o;
  o.url = url_;
  o.schema = "pgt_ro";
  o.read_only = true;
  auto d = OpenDriver(o);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  Status s = (*d)->RunStatement(S("CREATE TABLE t (id int)"));
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.sqlstate(), "25006");  // read_only_sql_transaction
  EXPECT_EQ(PgScalar(**d, "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgt_ro'"), "0");
}

TEST_F(PostgresDriverTest, UrlSearchPathSelectsTheSchema) {
  auto d = PgOpen(url_ + "?search_path=app2,public&application_name=pgt_probe&connect_timeout=5");
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->PrepareForWrites().ok());
  ASSERT_TRUE(d->RunStatement(S("CREATE TABLE via_url (id int)")).ok());
  EXPECT_EQ(PgScalar(*d, "SELECT schemaname FROM pg_tables WHERE tablename = 'via_url'"), "app2");
  EXPECT_EQ(PgScalar(*d, "SHOW application_name"), "pgt_probe");
}

TEST_F(PostgresDriverTest, RunStatementRunsOutsideATransaction) {
  auto d = PgOpen(url_);
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->RunStatement(S("CREATE TABLE big (id int)")).ok());
  Status s = d->RunStatement(S("CREATE INDEX CONCURRENTLY big_id ON big (id)"));
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(d->ServerVersion().rfind("PostgreSQL 1", 0), 0u) << d->ServerVersion();
}

TEST_F(PostgresDriverTest, UnreachableServerIsAConnectionErrorWithoutThePassword) {
  DriverOptions o;
  o.url = "postgres://someone:Pa55w0rdXYZ@127.0.0.1:1/nodb?connect_timeout=3";
  auto d = OpenDriver(o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kConnectionLost);
  EXPECT_EQ(d.status().message().rfind("cannot connect to postgres://someone:***@127.0.0.1:1/nodb?connect_timeout=3: ", 0),
            0u)
      << d.status().message();
  EXPECT_EQ(d.status().message().find("Pa55w0rdXYZ"), std::string::npos);
}

TEST(PgTextTest, ConnectSpecFromUrl) {
  auto s = pg::BuildConnectSpec(
      "postgresql://ann:p%40ss'w@db.example:6543/shop?sslmode=require&options=-c%20x%3Dy&search_path=%22My%20App%22,public",
      "");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->conninfo,
            "host='db.example' port='6543' user='ann' password='p@ss\\'w' dbname='shop' options='-c x=y' "
            "sslmode='require' client_encoding='UTF8' fallback_application_name='dbroll'");
  EXPECT_EQ(s->password, "p@ss'w");
  EXPECT_EQ(s->search_path, (std::vector<std::string>{"My App", "public"}));
}

TEST(PgTextTest, MultiHostUrlBecomesHostAndPortLists) {
  auto s = pg::BuildConnectSpec(
      "postgres://ann:S3cretPw@10.0.0.1:5433,db2.example,[::1]:5435/shop?target_session_attrs=read-write", "");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->conninfo,
            "host='10.0.0.1,db2.example,::1' port='5433,,5435' user='ann' password='S3cretPw' dbname='shop' "
            "target_session_attrs='read-write' client_encoding='UTF8' fallback_application_name='dbroll'");
  auto bad = pg::BuildConnectSpec("postgres://ann:S3cretPw@h1:5433,h2:99999/shop", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "postgres://ann:***@h1:5433,h2:99999/shop: port '99999' is not a port number (1-65535) -- write each "
            "host as host:port, separated by commas");
}

TEST(PgTextTest, MissingPartsAreLeftToLibpqEnvironment) {
  auto s = pg::BuildConnectSpec("postgres://", "cfg_schema");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->conninfo, "client_encoding='UTF8' fallback_application_name='dbroll'");
  EXPECT_EQ(s->search_path, std::vector<std::string>{"cfg_schema"});
}

TEST(PgTextTest, NonTransactionalStatements) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"CREATE INDEX CONCURRENTLY i ON t (a)", "CREATE INDEX CONCURRENTLY"},
      {"-- why\ncreate unique index concurrently if not exists i on t (a)", "CREATE INDEX CONCURRENTLY"},
      {"DROP INDEX CONCURRENTLY i", "DROP INDEX CONCURRENTLY"},
      {"REINDEX (VERBOSE) TABLE CONCURRENTLY t", "REINDEX CONCURRENTLY"},
      {"REINDEX DATABASE shop", "REINDEX DATABASE"},
      {"/* a /* nested */ comment */ VACUUM ANALYZE t", "VACUUM"},
      {"CREATE DATABASE x", "CREATE DATABASE"},
      {"DROP DATABASE x", "DROP DATABASE"},
      {"CREATE TABLESPACE s LOCATION '/x'", "CREATE TABLESPACE"},
      {"ALTER SYSTEM SET work_mem = '1MB'", "ALTER SYSTEM"},
      {"ALTER DATABASE shop SET TABLESPACE fast", "ALTER DATABASE ... SET TABLESPACE"},
  };
  for (const auto& [sql, why] : cases) EXPECT_EQ(pg::NonTransactionalReason(sql).value_or("-"), why) << sql;
  for (const char* ok : {"CREATE INDEX i ON t (a)", "CREATE TABLE concurrently (id int)", "REINDEX TABLE t",
                         "ALTER TYPE mood RENAME VALUE 'a' TO 'b'", "ALTER TYPE public.mood ADD VALUE 'meh'",
                         "ALTER DATABASE shop SET work_mem = '1MB'", "SELECT 'VACUUM'",
                         "INSERT INTO t VALUES ('CREATE INDEX CONCURRENTLY')"}) {
    EXPECT_FALSE(pg::NonTransactionalReason(ok).has_value()) << ok;
  }
}

TEST(PgTextTest, CharacterPositionToByteOffset) {
  EXPECT_EQ(pg::CharPositionToByte("abc", 1), 0u);
  EXPECT_EQ(pg::CharPositionToByte("é,x", 2), 2u);
  EXPECT_EQ(pg::CharPositionToByte("aé€b", 4), 6u);
  EXPECT_EQ(pg::CharPositionToByte("ab", 9), 2u);
}

TEST(PgTextTest, ServerPositionCountsBytesOnlyInSqlAscii) {
  EXPECT_EQ(pg::ServerPositionToByte("é,x", 2, "UTF8"), 2u);
  EXPECT_EQ(pg::ServerPositionToByte("é,x", 2, "LATIN1"), 2u);  // the server converted: one character
  EXPECT_EQ(pg::ServerPositionToByte("é,x", 3, "SQL_ASCII"), 2u);
  EXPECT_EQ(pg::ServerPositionToByte("ab", 9, "SQL_ASCII"), 2u);
  EXPECT_EQ(pg::ServerPositionToByte("ab", 0, "SQL_ASCII"), 0u);
}

TEST(PgTextTest, LockKeyDiffersPerSchemaAndTable) {
  EXPECT_EQ(pg::LockKey("db", "public", "dbroll_history"), pg::LockKey("db", "public", "dbroll_history"));
  EXPECT_NE(pg::LockKey("db", "public", "dbroll_history"), pg::LockKey("db", "app", "dbroll_history"));
  EXPECT_NE(pg::LockKey("db", "public", "dbroll_history"), pg::LockKey("db", "public", "other_history"));
  EXPECT_NE(pg::LockKey("db1", "public", "dbroll_history"), pg::LockKey("db2", "public", "dbroll_history"));
}

TEST(PgTextTest, ScrubHidesEveryCopyOfTheSecret) {
  EXPECT_EQ(pg::Scrub("a hunter2 b hunter2", "hunter2"), "a *** b ***");
  EXPECT_EQ(pg::Scrub("nothing", ""), "nothing");
}

}  // namespace
}  // namespace dbroll::testing
