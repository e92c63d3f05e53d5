// Where migrations come from. The engine reads them through this interface;
// tests supply in-memory sources.
#ifndef DBROLL_SOURCE_H_
#define DBROLL_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "dbroll/migration.h"
#include "dbroll/status.h"

namespace dbroll {

class MigrationSource {
 public:
  virtual ~MigrationSource() = default;

  // All migrations, sorted by version, with the dialect-specific files chosen
  // for `dialect`. Errors: kInvalidArgument naming the path (duplicate
  // version, up without down, down without up, unreadable file, bad directive).
  virtual Result<std::vector<Migration>> List(Dialect dialect) = 0;

  // Directory layout `<dir>/<version>_<name>/up.sql` + `down.sql` (or
  // `up.<dialect>.sql`), and golang-migrate's flat `<version>_<name>.up.sql`
  // (or `<version>_<name>.<dialect>.up.sql`). `display_root` is stripped from
  // paths shown to the user.
  static std::unique_ptr<MigrationSource> Directory(std::string dir,
                                                    std::string display_root = "");
};

}  // namespace dbroll

#endif  // DBROLL_SOURCE_H_
