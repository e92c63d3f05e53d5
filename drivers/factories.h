// The built-in drivers' factories. Only the drivers layer names them:
// drivers/builtin.cc lists those built in, and drivers/registry.cc fills the
// registry OpenDriver looks up from that list.
#ifndef DBROLL_DRIVERS_FACTORIES_H_
#define DBROLL_DRIVERS_FACTORIES_H_

#include <memory>
#include <utility>
#include <vector>

#include "dbroll/driver.h"

namespace dbroll::internal {

Result<std::unique_ptr<Driver>> OpenSqliteDriver(const DriverOptions& options);
Result<std::unique_ptr<Driver>> OpenPostgresDriver(const DriverOptions& options);
Result<std::unique_ptr<Driver>> OpenMysqlDriver(const DriverOptions& options);

// The drivers this libdbroll was built with (CMake options DBROLL_WITH_*).
std::vector<std::pair<Dialect, DriverFactory>> BuiltinDrivers();

}  // namespace dbroll::internal

#endif  // DBROLL_DRIVERS_FACTORIES_H_
