// The MySQL/MariaDB driver against a real server: the conformance suite, then
// what only this driver does (errno/SQLSTATE, GET_LOCK, KILL, URLs).
#include <regex>
#include <thread>
#include <vector>

#include "tests/drivers/conformance.h"
#include "tests/mysql/my_server.h"

namespace dbroll::testing {
namespace {

Statement S(const std::string& sql) { return Statement{sql, "test.sql", 1, 1, 0}; }

// Databases the conformance suite created; dropped when the run ends.
std::vector<std::string>& Created() {
  static std::vector<std::string> dbs;
  return dbs;
}

class DropCreatedDatabases : public ::testing::Environment {
 public:
  // Skips every test without a server, unless CI requires one: then each test
  // fails on its own. (Skipping here, not by leaving the suite uninstantiated,
  // keeps the tests listed when ctest discovers them at build time.)
  void SetUp() override {
    if (MyAdminUrl().empty() && !MyServersRequired()) GTEST_SKIP() << "DBROLL_TEST_MYSQL_URL is not set";
  }
  void TearDown() override {
    for (const auto& db : Created()) MyDropDatabase(db);
  }
};
::testing::Environment* const kDropEnv = ::testing::AddGlobalTestEnvironment(new DropCreatedDatabases);

Result<std::unique_ptr<Driver>> OpenFresh(bool same) {
  if (MyAdminUrl().empty()) {
    return Status(Code::kInvalidArgument, "DBROLL_TEST_MYSQL_URL is not set -- eval \"$(scripts/start-servers)\"");
  }
  if (!same) {
    Created().push_back(MyName("conf" + std::to_string(Created().size() + 1)));
    MyFreshDatabase(Created().back());
  }
  DriverOptions o;
  o.url = MyUrlFor(Created().back());
  return OpenDriver(o);
}

INSTANTIATE_TEST_SUITE_P(Mysql, DriverConformance, ::testing::Values(DriverFactory{"mysql", &OpenFresh}));

class MysqlDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DBROLL_NEED_MYSQL();
    db_ = MyName("drv");
    url_ = MyFreshDatabase(db_);
  }
  void TearDown() override {
    if (!db_.empty()) MyDropDatabase(db_);
  }

  std::string db_;
  std::string url_;
};

TEST_F(MysqlDriverTest, ServerVersionNamesTheFlavourAndVersion) {
  auto d = MyOpen(url_);
  ASSERT_TRUE(d);
  const std::string raw = MyScalar(*d, "SELECT VERSION()");
  const std::string flavour = raw.find("MariaDB") != std::string::npos ? "MariaDB " : "MySQL ";
  EXPECT_EQ(d->ServerVersion(), flavour + raw.substr(0, raw.find_first_not_of("0123456789.")));
  EXPECT_TRUE(std::regex_match(d->ServerVersion(), std::regex("(MariaDB|MySQL) [0-9]+\\.[0-9]+\\.[0-9]+")))
      << d->ServerVersion();
  EXPECT_FALSE(d->TransactionalDdl());
}

TEST_F(MysqlDriverTest, SyntaxErrorKeepsErrnoSqlstateAndPointsAtTheToken) {
  auto d = MyOpen(url_);
  ASSERT_TRUE(d);
  const std::string sql = "SELECT 1\nFROM dual\nWHERE WHERE";
  Status s = d->RunStatement(S(sql));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kDatabaseError);
  EXPECT_EQ(s.sqlstate(), "42000");
  EXPECT_EQ(s.message().rfind("ERROR 1064 (42000): You have an error in your SQL syntax", 0), 0u) << s.message();
  ASSERT_TRUE(s.position().has_value()) << s.message();
  EXPECT_EQ(*s.position(), sql.rfind("WHERE"));
}

TEST_F(MysqlDriverTest, ServerErrorsAreExact) {
  auto d = MyOpen(url_);
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->RunStatement(S("CREATE TABLE dup (id int)")).ok());
  Status s = d->RunStatement(S("CREATE TABLE dup (id int)"));
  EXPECT_EQ(s.code(), Code::kDatabaseError);
  EXPECT_EQ(s.message(), "ERROR 1050 (42S01): Table 'dup' already exists");
  EXPECT_EQ(s.sqlstate(), "42S01");
  EXPECT_FALSE(s.position().has_value());
}

TEST_F(MysqlDriverTest, RowLockWaitTimeoutIsRetryable) {
  auto a = MyOpen(url_);
  auto b = MyOpen(url_);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->RunStatement(S("CREATE TABLE rows_t (id int primary key, v int) ENGINE=InnoDB")).ok());
  ASSERT_TRUE(a->RunStatement(S("INSERT INTO rows_t VALUES (1, 0)")).ok());
  ASSERT_TRUE(a->RunStatement(S("START TRANSACTION")).ok());
  ASSERT_TRUE(a->RunStatement(S("UPDATE rows_t SET v = 1 WHERE id = 1")).ok());
  ASSERT_TRUE(b->RunStatement(S("SET SESSION innodb_lock_wait_timeout = 1")).ok());
  Status s = b->RunTransaction({S("UPDATE rows_t SET v = 2 WHERE id = 1")}, {});
  EXPECT_EQ(s.code(), Code::kLockTimeout) << s.ToString();
  EXPECT_EQ(s.message(), "ERROR 1205 (HY000): Lock wait timeout exceeded; try restarting transaction");
  EXPECT_EQ(s.statement_index(), 0);
  ASSERT_TRUE(a->RunStatement(S("ROLLBACK")).ok());
  // b rolled back its transaction: its next transaction starts clean.
  EXPECT_TRUE(b->RunTransaction({S("UPDATE rows_t SET v = 3 WHERE id = 1")}, {}).ok());
  EXPECT_EQ(MyScalar(*a, "SELECT v FROM rows_t"), "3");
}

TEST_F(MysqlDriverTest, LockWaitTimeoutSettingAppliesToTheSession) {
  auto d = MyOpen(url_, {{"mysql.lock_wait_timeout", "3s"}});
  ASSERT_TRUE(d);
  EXPECT_EQ(MyScalar(*d, "SELECT @@SESSION.lock_wait_timeout"), "3");
}

TEST_F(MysqlDriverTest, ReadOnlyDriverRefusesWritesAndDdl) {
  DriverOptions o;
  o.url = url_;
  o.read_only = true;
  auto d = OpenDriver(o);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  Status s = (*d)->RunStatement(Statement{"CREATE TABLE ro_t (id int)", "", 1, 1, 0});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.sqlstate(), "25006");
  EXPECT_TRUE((*d)->Query("SELECT 1").ok());
  auto rw = MyOpen(url_);
  ASSERT_TRUE(rw);
  EXPECT_EQ(MyScalar(*rw,
                     "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND "
                     "table_name = 'ro_t'"),
            "0");
}

TEST_F(MysqlDriverTest, LockNameIsPerDatabaseAndHistoryTable) {
  const std::string other_db = MyName("drv_other");
  const std::string other = MyFreshDatabase(other_db);
  auto a = MyOpen(url_);
  auto b = MyOpen(other);
  auto c = MyOpen(url_, {}, "other_history");
  auto same = MyOpen(url_);
  ASSERT_TRUE(a && b && c && same);
  ASSERT_TRUE(a->Lock(std::chrono::milliseconds(1000)).ok());
  EXPECT_TRUE(b->Lock(std::chrono::milliseconds(200)).ok()) << "another database is another lock";
  EXPECT_TRUE(c->Lock(std::chrono::milliseconds(200)).ok()) << "another history table is another lock";
  Status s = same->Lock(std::chrono::milliseconds(200));
  EXPECT_EQ(s.code(), Code::kLockTimeout);
  const std::string holder = MyScalar(*a, "SELECT CONNECTION_ID()");
  EXPECT_EQ(s.message(), MyUrlFor(db_) + ": lock 'dbroll:" + db_ + ".dbroll_history' is held by connection " +
                             holder + " -- another dbroll is running");
  // Locking twice on one session is one lock: one Unlock frees it.
  ASSERT_TRUE(a->Lock(std::chrono::milliseconds(1000)).ok());
  ASSERT_TRUE(a->Unlock().ok());
  EXPECT_TRUE(same->Lock(std::chrono::milliseconds(1000)).ok());
  MyDropDatabase(other_db);
}

TEST_F(MysqlDriverTest, KilledSessionIsConnectionLostAndFreesTheLock) {
  auto victim = MyOpen(url_);
  auto killer = MyOpen(url_);
  ASSERT_TRUE(victim && killer);
  ASSERT_TRUE(victim->Lock(std::chrono::milliseconds(1000)).ok());
  const std::string id = MyScalar(*victim, "SELECT CONNECTION_ID()");
  Status during;
  std::thread sleeper([&] { during = victim->RunStatement(S("DO SLEEP(20)")); });
  // Kill only once the statement is running, to test a kill mid-statement.
  for (int i = 0; i < 100; ++i) {
    if (MyScalar(*killer, "SELECT count(*) FROM information_schema.processlist WHERE id = " + id +
                              " AND info LIKE 'DO SLEEP%'") == "1") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(killer->RunStatement(S("KILL " + id)).ok());
  sleeper.join();
  EXPECT_EQ(during.code(), Code::kConnectionLost) << during.ToString();
  EXPECT_NE(during.message().find("-- connection " + id + " to " + url_ +
                                  " is gone (server restart, network, or KILL), and the dbroll lock with it"),
            std::string::npos)
      << during.message();
  Status after = victim->RunStatement(S("SELECT 1"));
  EXPECT_EQ(after.code(), Code::kConnectionLost) << after.ToString();
  auto next = MyOpen(url_);
  ASSERT_TRUE(next);
  EXPECT_TRUE(next->Lock(std::chrono::milliseconds(2000)).ok());
}

TEST_F(MysqlDriverTest, ProcedureResultSetsAreDrained) {
  auto d = MyOpen(url_);
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->RunStatement(S("CREATE PROCEDURE two_results() BEGIN SELECT 1; SELECT 2, 3; END")).ok());
  Status s = d->RunStatement(S("CALL two_results()"));
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(MyScalar(*d, "SELECT 42"), "42") << "the session must not be out of sync";
  EXPECT_TRUE(d->RunTransaction({S("CALL two_results()")}, {"DO 1"}).ok());
  EXPECT_EQ(MyScalar(*d, "SELECT 43"), "43");
}

TEST_F(MysqlDriverTest, PasswordNeverAppearsInErrors) {
  DriverOptions o;
  const std::string base = MyUrlFor(db_);
  o.url = "mysql://myt_nobody:S3cr3tPw@" + base.substr(base.find("://") + 3);
  auto d = OpenDriver(o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message().find("S3cr3tPw"), std::string::npos) << d.status().message();
  EXPECT_EQ(d.status().message().rfind("cannot connect to mysql://myt_nobody:***@", 0), 0u) << d.status().message();
  EXPECT_NE(d.status().message().find("ERROR 1045 (28000): Access denied for user 'myt_nobody'"), std::string::npos)
      << d.status().message();
}

TEST_F(MysqlDriverTest, UnreachableServerIsConnectionLost) {
  DriverOptions o;
  o.url = "mariadb://root@127.0.0.1:1/" + db_ + "?connect-timeout=2";
  auto d = OpenDriver(o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kConnectionLost);
  EXPECT_EQ(d.status().message().rfind("cannot connect to mariadb://root@127.0.0.1:1/" + db_ + "?connect-timeout=2: ERROR 2002 (HY000)", 0), 0u)
      << d.status().message();
}

TEST_F(MysqlDriverTest, UrlParametersAreChecked) {
  const std::string base = MyUrlFor(db_);
  DriverOptions o;
  o.url = base + "?sslmode=require";
  auto d = OpenDriver(o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(d.status().message(),
            o.url + ": unknown parameter 'sslmode' -- mysql URLs take ssl-mode, ssl-ca, ssl-cert, ssl-key, "
                    "connect-timeout, charset, socket");
  o.url = base + "?ssl-mode=sometimes";
  d = OpenDriver(o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(),
            o.url + ": ssl-mode=sometimes is not one of disabled, preferred, required, verify-ca, verify-identity");
  o.url = MyUrlFor("");
  o.url.pop_back();
  d = OpenDriver(o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(), o.url + ": the URL names no database -- use mysql://user@host:3306/DATABASE");
}

TEST_F(MysqlDriverTest, CharsetAndSchemeParametersApply) {
  std::string url = url_ + "?charset=latin1&connect-timeout=5s&ssl-mode=disabled";
  url.replace(0, url.find("://"), "mariadb");
  auto d = MyOpen(url);
  ASSERT_TRUE(d);
  EXPECT_EQ(MyScalar(*d, "SELECT @@character_set_client"), "latin1");
  auto utf = MyOpen(url_);
  ASSERT_TRUE(utf);
  EXPECT_EQ(MyScalar(*utf, "SELECT @@character_set_client"), "utf8mb4");
}

TEST_F(MysqlDriverTest, SslModeRequiredNeverFallsBackToPlainText) {
  auto d = MyOpen(url_);
  ASSERT_TRUE(d);
  const bool server_tls = MyScalar(*d, "SELECT @@have_ssl") == "YES";
  DriverOptions o;
  o.url = url_ + "?ssl-mode=required";
  auto tls = OpenDriver(o);
  ASSERT_EQ(tls.ok(), server_tls) << tls.status().ToString();
  if (tls.ok()) {
    EXPECT_NE(MyScalar(**tls, "SELECT variable_value FROM information_schema.session_status "
                               "WHERE variable_name = 'Ssl_cipher'"),
              "");
  } else {
    EXPECT_EQ(tls.status().message(),
              "cannot connect to " + o.url +
                  ": ssl-mode requires TLS, but the connection is not encrypted (the server has no SSL configured, "
                  "see SELECT @@have_ssl) -- configure TLS on the server or use ssl-mode=preferred");
  }
}

TEST_F(MysqlDriverTest, SocketParameterConnectsOverTheUnixSocket) {
  auto d = MyOpen(url_);
  ASSERT_TRUE(d);
  const std::string socket = MyScalar(*d, "SELECT @@socket");
  if (access(socket.c_str(), F_OK) != 0) GTEST_SKIP() << "the server's socket " << socket << " is not on this host";
  auto local = MyOpen("mysql://root@/" + db_ + "?socket=" + socket);
  ASSERT_TRUE(local);
  EXPECT_EQ(MyScalar(*local, "SELECT SUBSTRING_INDEX(USER(), '@', -1)"), "localhost");
}

}  // namespace
}  // namespace dbroll::testing
