// Progress events. The CLI prints them; an orchestrator receives the same.
#ifndef DBROLL_OBSERVER_H_
#define DBROLL_OBSERVER_H_

#include <chrono>
#include <string>

#include "dbroll/migration.h"
#include "dbroll/status.h"

namespace dbroll {

enum class Direction { kUp, kDown };

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void OnMigrationStart(const Migration& m, Direction d) { (void)m; (void)d; }
  virtual void OnMigrationDone(const Migration& m, Direction d, std::chrono::milliseconds took) {
    (void)m; (void)d; (void)took;
  }
  virtual void OnMigrationFailed(const Migration& m, Direction d, const Status& error) {
    (void)m; (void)d; (void)error;
  }
  // Dry run: `sql` would run now, for migration `m`.
  virtual void OnSql(const Migration& m, Direction d, const std::string& sql) {
    (void)m; (void)d; (void)sql;
  }
  // Something the user should know that is not an error (a retry, a fallback).
  virtual void OnNotice(const std::string& message) { (void)message; }
};

}  // namespace dbroll

#endif  // DBROLL_OBSERVER_H_
