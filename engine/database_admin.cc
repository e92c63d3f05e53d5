#include "dbroll/database_admin.h"

#include <filesystem>
#include <thread>

#include "dbroll/url.h"
#include "engine/history.h"
#include "engine/open_options.h"

namespace dbroll {

DriverOptions DriverOptionsFor(const EngineOptions& options) { return internal::DriverOptionsOf(options); }

namespace {

using std::chrono::milliseconds;
using internal::QuoteIdent;
using internal::QuoteLiteral;

// The database every server has and every user may connect to, to reach
// the server when the named database does not exist (yet, or any more).
std::string MaintenanceUrl(Dialect d, const std::string& url) {
  return UrlWithDatabase(url, d == Dialect::kPostgres ? "postgres" : "information_schema");
}

// The SQLite file `url` names (relative to options.base_dir); whether it
// exists in *existed.
std::filesystem::path SqlitePath(const DriverOptions& options, const Url& url, bool* existed) {
  std::filesystem::path p = url.database;
  if (p.is_relative() && !options.base_dir.empty()) p = std::filesystem::path(options.base_dir) / p;
  std::error_code ec;
  *existed = std::filesystem::exists(p, ec);
  return p;
}

struct Target {
  Dialect dialect;
  Url url;
};

Result<Target> TargetOf(const DriverOptions& options, const char* what) {
  auto dialect = DialectOfUrl(options.url);
  if (!dialect.ok()) return dialect.status();
  auto url = ParseUrl(options.url);
  if (!url.ok()) return url.status();
  if (url->database.empty() || url->database == ":memory:") {
    return Status(Code::kInvalidArgument, RedactUrl(options.url) + ": the URL names no database to " + what +
                                              " -- put its name (SQLite: the file) at the end of the URL");
  }
  return Target{dialect.value(), url.value()};
}

// Connects to the server without needing the named database.
Result<std::unique_ptr<Driver>> OpenServer(const DriverOptions& options, Dialect d) {
  DriverOptions admin = options;
  admin.url = MaintenanceUrl(d, options.url);
  admin.read_only = false;
  admin.schema.clear();
  return OpenDriver(admin);
}

Result<bool> Exists(Driver& server, Dialect d, const std::string& name) {
  const std::string sql =
      d == Dialect::kPostgres
          ? "SELECT 1 FROM pg_database WHERE datname = " + QuoteLiteral(d, name)
          : "SELECT 1 FROM information_schema.schemata WHERE schema_name = " + QuoteLiteral(d, name);
  auto rows = server.Query(sql);
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

// The error without its advice: a wait gives its own.
std::string Cause(const Status& s) { return s.message().substr(0, s.message().find(" -- ")); }

}  // namespace

Status WaitForDatabase(const DriverOptions& options, milliseconds timeout,
                       const std::function<void(const WaitAttempt&)>& on_attempt) {
  auto dialect = DialectOfUrl(options.url);
  if (!dialect.ok()) return dialect.status();
  const auto t0 = std::chrono::steady_clock::now();
  milliseconds pause(250);
  for (int attempt = 1;; ++attempt) {
    DriverOptions o = options;
    o.read_only = true;  // waiting must not create a SQLite file
    auto driver = OpenDriver(o);
    if (driver.ok()) return Status::Ok();
    Status error = driver.status();
    if (error.code() == Code::kInvalidArgument || error.code() == Code::kUnsupported) return error;
    if (dialect.value() != Dialect::kSqlite && OpenServer(options, dialect.value()).ok()) {
      return Status::Ok();  // the server answers; the database is missing or refuses this user
    }
    const auto elapsed = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0);
    if (elapsed >= timeout) {
      return Status(Code::kConnectionLost,
                    RedactUrl(options.url) + ": no answer after " + std::to_string(attempt) + " attempt(s) in " +
                        std::to_string(elapsed.count()) + " ms; last error: " + Cause(error) +
                        " -- check that the server starts, the URL and the credentials, or wait longer (--timeout)");
    }
    const milliseconds next = std::min(pause, timeout - elapsed);
    if (on_attempt) on_attempt(WaitAttempt{attempt, elapsed, next, Status(error.code(), Cause(error))});
    std::this_thread::sleep_for(next);
    pause = std::min(pause * 2, milliseconds(5000));
  }
}

Status CreateDatabase(const DriverOptions& options, bool* existed) {
  auto t = TargetOf(options, "create");
  if (!t.ok()) return t.status();
  if (t->dialect == Dialect::kSqlite) {
    SqlitePath(options, t->url, existed);
    if (*existed) return Status::Ok();
    DriverOptions o = options;
    o.read_only = false;
    auto d = OpenDriver(o);  // opening read-write creates the file
    return d.ok() ? Status::Ok() : d.status();
  }
  auto server = OpenServer(options, t->dialect);
  if (!server.ok()) return server.status();
  auto found = Exists(**server, t->dialect, t->url.database);
  if (!found.ok()) return found.status();
  *existed = found.value();
  if (*existed) return Status::Ok();
  Status s = (*server)->RunStatement(Statement{"CREATE DATABASE " + QuoteIdent(t->dialect, t->url.database), "", 1, 1, 0});
  if (!s.ok()) {
    return Status(s.code(), "creating database " + t->url.database + ": " + s.message() +
                                " -- grant this user the right to create databases (PostgreSQL CREATEDB, MySQL "
                                "CREATE) or ask an administrator to create it");
  }
  return Status::Ok();
}

Status DropDatabase(const DriverOptions& options, bool* existed) {
  auto t = TargetOf(options, "drop");
  if (!t.ok()) return t.status();
  if (t->dialect == Dialect::kSqlite) {
    std::error_code ec;
    const std::filesystem::path p = SqlitePath(options, t->url, existed);
    for (const char* suffix : {"-journal", "-wal", "-shm", ""}) {
      std::filesystem::remove(p.string() + suffix, ec);
      if (ec) {
        return Status(Code::kDatabaseError, p.string() + suffix + ": cannot remove: " + ec.message() +
                                                " -- check the permissions of its directory");
      }
    }
    return Status::Ok();
  }
  auto server = OpenServer(options, t->dialect);
  if (!server.ok()) return server.status();
  auto found = Exists(**server, t->dialect, t->url.database);
  if (!found.ok()) return found.status();
  *existed = found.value();
  if (!*existed) return Status::Ok();
  Status s = (*server)->RunStatement(Statement{"DROP DATABASE " + QuoteIdent(t->dialect, t->url.database), "", 1, 1, 0});
  if (!s.ok()) {
    return Status(s.code(), "dropping database " + t->url.database + ": " + s.message() +
                                " -- close the other sessions using it (or grant this user the right to drop it) "
                                "and drop it again")
        .set_remedy(Remedy::kRunDrop);
  }
  return Status::Ok();
}

}  // namespace dbroll
