// The driver conformance suite: every driver must pass it. A driver's test
// file instantiates it with a factory that opens a fresh, empty database:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, DriverConformance,
//                            testing::Values(DriverFactory{"sqlite", &OpenFresh}));
#ifndef DBROLL_TESTS_DRIVERS_CONFORMANCE_H_
#define DBROLL_TESTS_DRIVERS_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "dbroll/driver.h"

namespace dbroll::testing {

struct DriverFactory {
  std::string name;
  // Opens a driver on a fresh empty database. Called twice in a test opens two
  // connections to the same database (for lock tests) when `same` is true.
  std::function<Result<std::unique_ptr<Driver>>(bool same)> open;
};

inline std::ostream& operator<<(std::ostream& os, const DriverFactory& f) { return os << f.name; }

class DriverConformance : public ::testing::TestWithParam<DriverFactory> {
 protected:
  std::unique_ptr<Driver> Open(bool same = false) {
    auto d = GetParam().open(same);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? std::move(d).value() : nullptr;
  }
  static Statement S(const std::string& sql) { return Statement{sql, "test.sql", 1, 1, 0}; }
  static long long Count(Driver& d, const std::string& table) {
    auto r = d.Query("SELECT count(*) FROM " + table);
    if (!r.ok() || r->empty() || !r->front()[0]) return -1;
    return std::stoll(*r->front()[0]);
  }
};

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_DRIVERS_CONFORMANCE_H_
