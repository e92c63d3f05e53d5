// The MariaDB / MySQL server of the integration tests: DBROLL_TEST_MYSQL_URL
// (set by `eval "$(scripts/start-servers)"`). The server is shared with other
// test runs, so tests create their own databases named myt_* and drop only those.
#ifndef DBROLL_TESTS_MYSQL_MY_SERVER_H_
#define DBROLL_TESTS_MYSQL_MY_SERVER_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>

#include "dbroll/driver.h"
#include "tests/support/db_server.h"

namespace dbroll::testing {

inline std::string MyAdminUrl() { return EnvValue("DBROLL_TEST_MYSQL_URL"); }

inline bool MyServersRequired() { return ServersRequired(); }

// In a test body: fails in CI (DBROLL_REQUIRE_SERVERS=1), skips elsewhere.
#define DBROLL_NEED_MYSQL()                                                                                 \
  DBROLL_NEED_SERVER(::dbroll::testing::MyAdminUrl().empty(),                                               \
                     "DBROLL_TEST_MYSQL_URL is not set -- eval \"$(scripts/start-servers)\"",                \
                     "DBROLL_TEST_MYSQL_URL is not set")

// `url` with its database replaced by `db`, query string kept.
inline std::string MyUrlFor(const std::string& db, const std::string& url = MyAdminUrl()) {
  return UrlWithDatabase(url, db);
}

// A myt_ name unique to this process: myt_<stem>_<pid>.
inline std::string MyName(const std::string& stem) { return "myt_" + stem + "_" + std::to_string(getpid()); }

// Opens a driver on `url` with extra [mysql] settings.
inline std::unique_ptr<Driver> MyOpen(const std::string& url, std::map<std::string, std::string> settings = {},
                                      const std::string& history_table = "dbroll_history") {
  return OpenOrFail({.url = url, .history_table = history_table, .settings = std::move(settings)});
}

// Runs one statement on the server's admin database.
inline Status MyAdmin(const std::string& sql) { return RunStatementOn(MyAdminUrl(), sql); }

inline TestDatabaseDdl MyDdl(const std::string& db) {
  return {"myt_", "DROP DATABASE IF EXISTS `" + db + "`", "CREATE DATABASE `" + db + "`", MyAdmin};
}

// Drops and creates database `db` (a myt_ name); returns its URL.
inline std::string MyFreshDatabase(const std::string& db) {
  MyDdl(db).Recreate(db);
  return MyUrlFor(db);
}

inline void MyDropDatabase(const std::string& db) { MyDdl(db).Drop(db); }

// First column of the first row of `sql`, or a description of what went wrong.
inline std::string MyScalar(Driver& d, const std::string& sql) { return FirstValue(d, sql); }

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_MYSQL_MY_SERVER_H_
