// The MariaDB / MySQL server of the integration tests: DBROLL_TEST_MYSQL_URL
// (set by `eval "$(scripts/start-servers)"`). The server is shared with other
// test runs, so tests create their own databases named myt_* and drop only those.
#ifndef DBROLL_TESTS_MYSQL_MY_SERVER_H_
#define DBROLL_TESTS_MYSQL_MY_SERVER_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "dbroll/driver.h"

namespace dbroll::testing {

inline std::string MyAdminUrl() {
  const char* u = std::getenv("DBROLL_TEST_MYSQL_URL");
  return u ? u : "";
}

inline bool MyServersRequired() {
  const char* r = std::getenv("DBROLL_REQUIRE_SERVERS");
  return r && std::string(r) == "1";
}

// In a test body: fails in CI (DBROLL_REQUIRE_SERVERS=1), skips elsewhere.
#define DBROLL_NEED_MYSQL()                                                              \
  do {                                                                                   \
    if (::dbroll::testing::MyAdminUrl().empty()) {                                       \
      if (::dbroll::testing::MyServersRequired()) {                                      \
        FAIL() << "DBROLL_TEST_MYSQL_URL is not set -- eval \"$(scripts/start-servers)\""; \
      }                                                                                  \
      GTEST_SKIP() << "DBROLL_TEST_MYSQL_URL is not set";                                \
    }                                                                                    \
  } while (0)

// `url` with its database replaced by `db`, query string kept.
inline std::string MyUrlFor(const std::string& db, const std::string& url = MyAdminUrl()) {
  const size_t sep = url.find("://");
  const size_t slash = url.find('/', sep + 3);
  const size_t q = url.find('?', sep + 3);
  const std::string head = url.substr(0, slash == std::string::npos ? q : slash);
  return head + "/" + db + (q == std::string::npos ? "" : url.substr(q));
}

// A myt_ name unique to this process: myt_<stem>_<pid>.
inline std::string MyName(const std::string& stem) { return "myt_" + stem + "_" + std::to_string(getpid()); }

// Opens a driver on `url` with extra [mysql] settings.
inline std::unique_ptr<Driver> MyOpen(const std::string& url, std::map<std::string, std::string> settings = {},
                                      const std::string& history_table = "dbroll_history") {
  DriverOptions o;
  o.url = url;
  o.history_table = history_table;
  o.settings = std::move(settings);
  auto d = OpenDriver(o);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? std::move(d).value() : nullptr;
}

// Runs one statement on the server's admin database.
inline Status MyAdmin(const std::string& sql) {
  DriverOptions o;
  o.url = MyAdminUrl();
  auto d = OpenDriver(o);
  if (!d.ok()) return d.status();
  return (*d)->RunStatement(Statement{sql, "", 1, 1, 0});
}

// Drops and creates database `db` (a myt_ name); returns its URL.
inline std::string MyFreshDatabase(const std::string& db) {
  EXPECT_EQ(db.rfind("myt_", 0), 0u) << "tests only touch myt_ databases";
  Status s = MyAdmin("DROP DATABASE IF EXISTS `" + db + "`");
  EXPECT_TRUE(s.ok()) << s.ToString();
  s = MyAdmin("CREATE DATABASE `" + db + "`");
  EXPECT_TRUE(s.ok()) << s.ToString();
  return MyUrlFor(db);
}

inline void MyDropDatabase(const std::string& db) {
  if (db.rfind("myt_", 0) != 0) return;
  (void)MyAdmin("DROP DATABASE IF EXISTS `" + db + "`");
}

// First column of the first row of `sql`, or a description of what went wrong.
inline std::string MyScalar(Driver& d, const std::string& sql) {
  auto r = d.Query(sql);
  if (!r.ok()) return "<error: " + r.status().message() + ">";
  if (r->empty() || r->front().empty()) return "<no rows>";
  return r->front()[0].value_or("<null>");
}

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_MYSQL_MY_SERVER_H_
