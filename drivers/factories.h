// One factory per built-in driver; drivers/registry.cc picks by URL scheme.
#ifndef DBROLL_DRIVERS_FACTORIES_H_
#define DBROLL_DRIVERS_FACTORIES_H_

#include <memory>

#include "dbroll/driver.h"

namespace dbroll::internal {

Result<std::unique_ptr<Driver>> OpenSqliteDriver(const DriverOptions& options);
Result<std::unique_ptr<Driver>> OpenPostgresDriver(const DriverOptions& options);
Result<std::unique_ptr<Driver>> OpenMysqlDriver(const DriverOptions& options);

}  // namespace dbroll::internal

#endif  // DBROLL_DRIVERS_FACTORIES_H_
