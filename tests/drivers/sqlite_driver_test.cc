#include <filesystem>

#include "tests/drivers/conformance.h"

namespace dbroll::testing {
namespace {

std::string FreshPath(bool same) {
  static int n = 0;
  static std::string current;
  if (!same) {
    auto dir = std::filesystem::temp_directory_path() / ("dbroll-conf-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    current = (dir / ("db" + std::to_string(++n) + ".sqlite")).string();
    std::filesystem::remove(current);
  }
  return current;
}

Result<std::unique_ptr<Driver>> OpenFresh(bool same) {
  DriverOptions o;
  o.url = "sqlite:" + FreshPath(same);
  return OpenDriver(o);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, DriverConformance, ::testing::Values(DriverFactory{"sqlite", &OpenFresh}));

TEST(SqliteDriverTest, VacuumMustRunOutsideATransaction) {
  auto d = OpenFresh(false);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE((*d)->NonTransactionalReason(Statement{"vacuum", "", 1, 1, 0}).has_value());
  EXPECT_FALSE((*d)->NonTransactionalReason(Statement{"CREATE TABLE x (id int)", "", 1, 1, 0}).has_value());
}

TEST(SqliteDriverTest, UnopenablePathIsAClearError) {
  DriverOptions o;
  o.url = "sqlite:/nonexistent-dir/x/y.db";
  auto d = OpenDriver(o);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("/nonexistent-dir/x/y.db: cannot open the SQLite database"), std::string::npos)
      << d.status().message();
}

}  // namespace
}  // namespace dbroll::testing
