// The database itself rather than its schema: wait until it answers, create
// it, drop it. For pipelines that start the database and the migration at
// once, and for a new project's first `dbroll create`.
#ifndef DBROLL_DATABASE_ADMIN_H_
#define DBROLL_DATABASE_ADMIN_H_

#include <chrono>
#include <functional>
#include <string>

#include "dbroll/driver.h"
#include "dbroll/options.h"
#include "dbroll/status.h"

namespace dbroll {

// The driver options an Engine opened with `options` would use (for the
// functions below, given a Config's engine options).
DriverOptions DriverOptionsFor(const EngineOptions& options);

struct WaitAttempt {
  int attempt = 0;                     // 1, 2, ...
  std::chrono::milliseconds elapsed{};  // since the wait began
  std::chrono::milliseconds next{};     // pause before the next attempt
  Status error;                        // why this attempt failed
};

// Connects to options.url until it answers, pausing 250 ms after the first
// failure and twice as long after each next one (at most 5 s), for up to
// `timeout`. A server that answers but lacks the database counts as up (so
// `create` can follow). kConnectionLost naming the last error on timeout;
// a bad URL or a driver not built in fails at once. `on_attempt` hears of
// every failed attempt that will be retried.
Status WaitForDatabase(const DriverOptions& options, std::chrono::milliseconds timeout,
                       const std::function<void(const WaitAttempt&)>& on_attempt = nullptr);

// Creates the database the URL names (PostgreSQL, MySQL/MariaDB: CREATE
// DATABASE over the server's maintenance database; SQLite: the file).
// *existed is set when it was already there; that is not an error.
Status CreateDatabase(const DriverOptions& options, bool* existed);

// Drops the database the URL names (SQLite: removes the file and its
// journal files). *existed is false when there was nothing to drop, which is
// not an error. Irreversible: the CLI asks for --yes.
Status DropDatabase(const DriverOptions& options, bool* existed);

}  // namespace dbroll

#endif  // DBROLL_DATABASE_ADMIN_H_
