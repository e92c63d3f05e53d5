// What an Engine opens, derived from EngineOptions: the driver's options and
// the migrations directory (relative to base_dir). One place for Engine::Open,
// the scratch engine of verify, verify's listing and the fleet's targets.
#ifndef DBROLL_ENGINE_OPEN_OPTIONS_H_
#define DBROLL_ENGINE_OPEN_OPTIONS_H_

#include <memory>
#include <string>

#include "dbroll/driver.h"
#include "dbroll/options.h"
#include "dbroll/source.h"

namespace dbroll::internal {

DriverOptions DriverOptionsOf(const EngineOptions& options);
// migrations_dir, under base_dir when relative.
std::string MigrationsDirOf(const EngineOptions& options);
std::unique_ptr<MigrationSource> MigrationDirectoryOf(const EngineOptions& options);

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_OPEN_OPTIONS_H_
