// The database side of dbroll: connect, lock, run statements, read rows.
// Drivers know nothing about migration files; only the Engine knows both.
//
// How to add a driver:
//  1. Implement Driver in drivers/<name>/ -- the only place that includes the
//     vendor library; catch every vendor exception and return a Status that
//     keeps the SQLSTATE / error number.
//  2. Map errors to codes: connection failures -> kConnectionLost, lock waits
//     -> kLockTimeout, everything else -> kDatabaseError.
//  3. Give it its own CMake target, dbroll_driver_<name>, behind a CMake
//     option, and list its factory in drivers/builtin.cc, which fills the
//     registry OpenDriver looks up (RegisterDriver below).
//  4. Run the conformance suite (tests/drivers/conformance.h) against it.
#ifndef DBROLL_DRIVER_H_
#define DBROLL_DRIVER_H_

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dbroll/migration.h"
#include "dbroll/status.h"

namespace dbroll {

using Row = std::vector<std::optional<std::string>>;

// Open sessions kept between drivers, so that a run over many targets of one
// server (a fleet of PostgreSQL schemas in one database) connects once per
// worker rather than once per target. A driver that supports it (PostgreSQL)
// resets its session and puts it here when it is destroyed healthy, holding
// no lock; the next driver with the same server and credentials takes it
// instead of connecting. Thread-safe. Destroying the pool closes the sessions
// it holds.
class SessionPool {
 public:
  // A driver's session while idle; destroying it closes it.
  class Session {
   public:
    virtual ~Session() = default;
  };
  explicit SessionPool(size_t max_idle) : max_idle_(max_idle) {}
  // An idle session kept under `key`, or null: then the driver connects.
  std::unique_ptr<Session> Take(const std::string& key);
  // Keeps `session` for Take(key); beyond max_idle the longest idle one is closed.
  void Put(const std::string& key, std::unique_ptr<Session> session);

 private:
  std::mutex mu_;
  const size_t max_idle_;
  std::deque<std::pair<std::string, std::unique_ptr<Session>>> idle_;  // the longest idle first
};

struct DriverOptions {
  std::string url;         // full URL, secrets included; never print it (see RedactUrl)
  std::string base_dir;    // relative SQLite paths resolve against this; default: cwd
  std::string schema;      // PostgreSQL schema for history and migrations; default: none
  // History table name; drivers derive their lock name from the database,
  // schema and this. Default: "dbroll_history".
  std::string history_table = "dbroll_history";
  // Dialect sections of the config, e.g. {"postgres.lock_timeout": "5s"}.
  std::map<std::string, std::string> settings;
  // Open for reading only: create nothing (a missing SQLite file reads as an
  // empty database and is not created) and refuse writes where the database
  // can (PostgreSQL: default_transaction_read_only). Default: false.
  bool read_only = false;
  // Where the driver takes its session from and leaves it when destroyed.
  // Default: none (the driver opens its own session and closes it).
  std::shared_ptr<SessionPool> sessions;
};

// How much of the catalog a fingerprint covers (Driver::CatalogFingerprintSql).
enum class FingerprintScope {
  kStructure,  // columns, indexes, constraints, triggers of the objects
  kExistence,  // only whether each object exists, and as what kind
};

class Driver {
 public:
  virtual ~Driver() = default;

  virtual Dialect dialect() const = 0;
  // Product and version, e.g. "PostgreSQL 15.18", "MariaDB 10.11.6", "SQLite 3.40.1".
  virtual std::string ServerVersion() const = 0;
  // True when DDL rolls back with its transaction (SQLite, PostgreSQL).
  virtual bool TransactionalDdl() const = 0;
  // Why `s` cannot run inside a transaction block (e.g. CREATE INDEX
  // CONCURRENTLY), or nullopt when it can.
  virtual std::optional<std::string> NonTransactionalReason(const Statement& s) const {
    (void)s;
    return std::nullopt;
  }
  // True when the database rejects (or cannot store) text that is not UTF-8:
  // the engine then refuses such files before running anything.
  virtual bool RequiresUtf8() const { return false; }
  // Parses `statements` without running them (PostgreSQL: libpg_query). On a
  // syntax error returns it with statement_index() and position() (byte
  // offset in that statement's text) set. Ok when the driver has no parser,
  // or cannot trust it for this server version.
  virtual Status CheckSyntax(const std::vector<Statement>& statements) const {
    (void)statements;
    return Status::Ok();
  }

  // Creates what must exist before the history tables can be created (the
  // PostgreSQL schema named by DriverOptions::schema or the URL's first
  // search_path entry). Called only on the write path, so reads never change
  // the database. Default: nothing to do.
  virtual Status PrepareForWrites() { return Status::Ok(); }

  // Takes the one-runner-per-database lock, waiting up to `timeout`.
  // kLockTimeout when another runner still holds it. The lock must be freed
  // by the server (or OS) when the process dies.
  virtual Status Lock(std::chrono::milliseconds timeout) = 0;
  virtual Status Unlock() = 0;

  // Runs `statements` and then `bookkeeping` in one transaction and commits.
  // On error everything is rolled back and the Status carries the index of
  // the failed statement (indexes past statements.size() are bookkeeping).
  virtual Status RunTransaction(const std::vector<Statement>& statements,
                                const std::vector<std::string>& bookkeeping) = 0;
  // Called after each migration committed, before the next one starts:
  // waits while replicas of this database replay further behind than the
  // configured bound (PostgreSQL [postgres] max_replica_lag), telling each
  // wait to `notice`. kLockTimeout when they stay behind past the wait's own
  // bound. Default: nothing to wait for.
  virtual Status WaitForReplicas(const std::function<void(const std::string&)>& notice) {
    (void)notice;
    return Status::Ok();
  }
  // Runs one statement outside any transaction (autocommit).
  virtual Status RunStatement(const Statement& statement) = 0;
  // Runs a query and returns every row as text (NULL as nullopt).
  virtual Result<std::vector<Row>> Query(const std::string& sql) = 0;

  // The id of this driver's session as the server reports it (MySQL
  // CONNECTION_ID(), PostgreSQL pg_backend_pid(), SQLite the process id).
  // Recorded with the intent to run a statement that cannot commit together
  // with its progress.
  virtual std::string SessionId() const { return ""; }
  // Whether session `id` (from SessionId() of an earlier run) still exists
  // on the server, e.g. still executing a statement whose client died. False
  // for this driver's own session.
  virtual Result<bool> SessionAlive(const std::string& id) {
    (void)id;
    return false;
  }
  // An SQL scalar expression (usable in a SELECT list or VALUES) whose value
  // fingerprints the structure of `objects` (tables, views, indexes, ...
  // named so, unqualified) in the user schema: columns with type,
  // nullability and default, indexes with columns, uniqueness and validity,
  // constraints, triggers. With no objects, the whole user schema (without
  // tables whose names start with `exclude_prefix`, and routines and enum
  // labels too). Never depends on data (row counts, AUTO_INCREMENT, sizes,
  // times). The value starts with "fp:" (kStructure) or "fpx:" (kExistence:
  // only which of `objects` exist, and as what; objects must not be empty).
  // "" when the driver cannot fingerprint.
  virtual std::string CatalogFingerprintSql(const std::vector<std::string>& objects,
                                            const std::string& exclude_prefix, FingerprintScope scope) const {
    (void)objects;
    (void)exclude_prefix;
    (void)scope;
    return "";
  }
};

// Opens the driver for a URL: sqlite:, postgres://, postgresql://, mysql://,
// mariadb://. kUnsupported when that driver was not built in; kConnectionLost
// when the server cannot be reached. Messages never contain the password.
Result<std::unique_ptr<Driver>> OpenDriver(const DriverOptions& options);

// Opens a driver; what OpenDriver calls for the URLs of one dialect.
using DriverFactory = std::function<Result<std::unique_ptr<Driver>>(const DriverOptions&)>;

// Makes OpenDriver use `factory` for the URLs of `dialect` from now on,
// replacing the driver built in (they register themselves before the first
// OpenDriver) or an earlier registration, e.g. with a fake in a test.
// kInvalidArgument when `factory` is empty. Thread-safe.
[[nodiscard]] Status RegisterDriver(Dialect dialect, DriverFactory factory);

// Removes the driver of `dialect`: OpenDriver then answers kUnsupported for
// its URLs, as for a driver not built in. Thread-safe.
void UnregisterDriver(Dialect dialect);

// The dialects OpenDriver has a driver for, in the order of enum Dialect.
std::vector<Dialect> RegisteredDrivers();

// Dialect of a URL by its scheme, or kInvalidArgument.
Result<Dialect> DialectOfUrl(const std::string& url);

// The URL with any password replaced by "***".
std::string RedactUrl(const std::string& url);

}  // namespace dbroll

#endif  // DBROLL_DRIVER_H_
