#include "drivers/factories.h"

namespace dbroll {

Result<std::unique_ptr<Driver>> OpenDriver(const DriverOptions& options) {
  auto dialect = DialectOfUrl(options.url);
  if (!dialect.ok()) return dialect.status();
  switch (dialect.value()) {
    case Dialect::kSqlite:
#ifdef DBROLL_WITH_SQLITE
      return internal::OpenSqliteDriver(options);
#else
      break;
#endif
    case Dialect::kPostgres:
#ifdef DBROLL_WITH_POSTGRES
      return internal::OpenPostgresDriver(options);
#else
      break;
#endif
    case Dialect::kMysql:
#ifdef DBROLL_WITH_MYSQL
      return internal::OpenMysqlDriver(options);
#else
      break;
#endif
  }
  return Status(Code::kUnsupported,
                std::string("the ") + DialectName(dialect.value()) + " driver is not built into this dbroll (" +
                    RedactUrl(options.url) + ") -- rebuild with -DDBROLL_WITH_" +
                    (dialect.value() == Dialect::kPostgres ? "POSTGRES" : dialect.value() == Dialect::kMysql ? "MYSQL" : "SQLITE") +
                    "=ON");
}

}  // namespace dbroll
