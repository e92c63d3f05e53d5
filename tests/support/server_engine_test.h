// An Engine on a fresh database of a real server (MariaDB or PostgreSQL) for
// the tests in tests/mysql and tests/postgres that drive the library
// directly: one fixture, told by a ServerKind which server it talks to.
#ifndef DBROLL_TESTS_SUPPORT_SERVER_ENGINE_TEST_H_
#define DBROLL_TESTS_SUPPORT_SERVER_ENGINE_TEST_H_

#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/engine/engine_test_util.h"
#include "tests/mysql/my_server.h"
#include "tests/postgres/pg_server.h"
#include "tests/support/fault_driver.h"

namespace dbroll::testing {

// How a test reaches one kind of server (see my_server.h and pg_server.h).
struct ServerKind {
  // Skips the test without the server, fails it when CI demands servers.
  void (*need)();
  // A database name unique to this process.
  std::string (*name)(const std::string& stem);
  // Drops and creates `db`; returns its URL.
  std::string (*fresh_database)(const std::string& db);
  void (*drop_database)(const std::string& db);
  std::unique_ptr<Driver> (*open)(const std::string& url);
  std::string (*scalar)(Driver& d, const std::string& sql);
  // The tables not named dbroll*, by name, comma-separated.
  const char* user_tables_sql;
  // How many rows dbroll_history holds.
  const char* history_rows_sql;
};

inline void NeedMysql() { DBROLL_NEED_MYSQL(); }
inline void NeedPostgres() { DBROLL_REQUIRE_PG(); }
inline std::unique_ptr<Driver> OpenMysql(const std::string& url) { return MyOpen(url); }
inline std::unique_ptr<Driver> OpenPostgres(const std::string& url) { return PgOpen(url); }
inline constexpr char kMysqlUserTablesSql[] =
    "SELECT coalesce(group_concat(table_name ORDER BY table_name), '') FROM information_schema.tables "
    "WHERE table_schema = DATABASE() AND table_name NOT LIKE 'dbroll%'";
inline const ServerKind kMysqlServer{NeedMysql, MyName,   MyFreshDatabase,     MyDropDatabase,
                                     OpenMysql, MyScalar, kMysqlUserTablesSql, "SELECT count(*) FROM dbroll_history"};

inline constexpr char kPostgresUserTablesSql[] =
    "SELECT coalesce(string_agg(tablename, ',' ORDER BY tablename), '') FROM pg_tables "
    "WHERE schemaname = 'public' AND tablename NOT LIKE 'dbroll%'";
// Its history row count is 0 also while there is no history table.
inline constexpr char kPostgresHistoryRowsSql[] =
    "SELECT count(*) FROM pg_tables WHERE tablename = 'dbroll_history' AND (SELECT count(*) FROM dbroll_history) > 0";
inline const ServerKind kPostgresServer{NeedPostgres, PgName,   PgFreshDatabase,        PgDropDatabase,
                                        OpenPostgres, PgScalar, kPostgresUserTablesSql, kPostgresHistoryRowsSql};

// Whether `s` is ok; says which error it is when not.
inline bool Ok(const Status& s) {
  EXPECT_TRUE(s.ok()) << s.ToString();
  return s.ok();
}

// The running test's name in lower case, cut to `n` characters.
inline std::string CurrentTestStem(size_t n) {
  std::string stem = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  for (char& c : stem) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return stem.substr(0, n);
}

// Each test gets its own database named <prefix><test name>, dropped after
// it, and an in-memory list of migrations (ms_) the engine reads.
class ServerEngineTest : public ::testing::Test {
 public:
  void Add(const std::string& v, const std::string& name, const std::string& up, const std::string& down) {
    ms_->push_back(MakeMigration(v, name, up, down));
  }
  // An engine on this test's database, reporting to `observer` when given.
  std::unique_ptr<Engine> Open(Observer* observer = nullptr) { return OpenDriver(server_.open(url_), observer); }
  // The same with the driver wrapped in a FaultDriver, left in fault_.
  std::unique_ptr<Engine> OpenWithFaults() {
    auto driver = server_.open(url_);
    if (!driver) return nullptr;
    auto f = std::make_unique<FaultDriver>(std::move(driver));
    fault_ = f.get();
    return OpenDriver(std::move(f), nullptr);
  }
  // First column of the first row of `sql` on the engine's connection.
  std::string Scalar(Engine& e, const std::string& sql) { return server_.scalar(e.driver(), sql); }
  std::string Tables(Engine& e) { return Scalar(e, server_.user_tables_sql); }
  std::string HistoryRows(Engine& e) { return Scalar(e, server_.history_rows_sql); }

 protected:
  ServerEngineTest(const ServerKind& server, std::string prefix) : server_(server), prefix_(std::move(prefix)) {}
  void SetUp() override {
    server_.need();
    if (IsSkipped() || HasFatalFailure()) return;
    db_ = server_.name(prefix_ + CurrentTestStem(24));
    url_ = server_.fresh_database(db_);
    ms_ = std::make_shared<std::vector<Migration>>();
  }
  void TearDown() override {
    if (!db_.empty()) server_.drop_database(db_);
  }

  std::unique_ptr<Engine> OpenDriver(std::unique_ptr<Driver> driver, Observer* observer) {
    if (!driver) return nullptr;
    EngineOptions o;
    o.url = url_;
    o.applied_by = "tester@host";
    auto e = Engine::Open(std::move(driver), std::make_unique<FakeSource>(ms_), o, observer);
    EXPECT_TRUE(e.ok());
    return e.ok() ? std::move(e).value() : nullptr;
  }

  const ServerKind& server_;
  std::string prefix_;
  std::string db_, url_;
  std::shared_ptr<std::vector<Migration>> ms_;
  FaultDriver* fault_ = nullptr;
};

// The fixture of a test file: `using MysqlPreflightTest = OnServer<kMysqlServer, kPrefix>;`
// with `constexpr char kPrefix[] = "pf_";` for databases named pf_<test name>.
template <const ServerKind& kServer, const char* kPrefix>
class OnServer : public ServerEngineTest {
 protected:
  OnServer() : ServerEngineTest(kServer, kPrefix) {}
};

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_SUPPORT_SERVER_ENGINE_TEST_H_
