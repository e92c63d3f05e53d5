// The one place that names the built-in drivers; each is its own CMake target
// (dbroll_driver_<name>), compiled in when its DBROLL_WITH_* option is on.
#include "drivers/factories.h"

namespace dbroll::internal {

std::vector<std::pair<Dialect, DriverFactory>> BuiltinDrivers() {
  std::vector<std::pair<Dialect, DriverFactory>> drivers;
#ifdef DBROLL_WITH_SQLITE
  drivers.emplace_back(Dialect::kSqlite, OpenSqliteDriver);
#endif
#ifdef DBROLL_WITH_POSTGRES
  drivers.emplace_back(Dialect::kPostgres, OpenPostgresDriver);
#endif
#ifdef DBROLL_WITH_MYSQL
  drivers.emplace_back(Dialect::kMysql, OpenMysqlDriver);
#endif
  return drivers;
}

}  // namespace dbroll::internal
