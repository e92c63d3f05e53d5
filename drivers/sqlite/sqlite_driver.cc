// SQLite driver: the only file that includes SQLiteCpp.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <cctype>
#include <cerrno>
#include <filesystem>
#include <mutex>
#include <thread>

#include "dbroll/options.h"
#include "dbroll/url.h"
#include "drivers/factories.h"

namespace dbroll::internal {
namespace {

// Thread contract: a SqliteDriver (its one connection) is used by one thread
// at a time; distinct drivers may run on distinct threads at once (a fleet
// worker pool). Whoever shares a driver between threads serialises the calls
// (the alert receiver does, under its mutex). That is SQLite's "multi-thread"
// mode, so the per-connection mutexes of the default "serialized" mode are
// not needed, nor the memory statistics, which take one process-wide mutex
// on every malloc and free: with several workers those mutexes, not the
// work, set the pace. Must run before SQLite initialises (before the first
// open); if the process already initialised SQLite (another library, a
// test calling sqlite3 directly), sqlite3_config answers SQLITE_MISUSE and
// the defaults stay: slower, equally correct.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (sqlite3_threadsafe() != 0) (void)sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
  });
}

Status FromException(const SQLite::Exception& e, Code fallback = Code::kDatabaseError) {
  const int rc = e.getErrorCode();
  Code code = fallback;
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) code = Code::kLockTimeout;
  Status s(code, e.what());
  s.set_sqlstate("SQLITE_" + std::to_string(e.getExtendedErrorCode()));
  return s;
}

std::string FirstWord(const std::string& text) {
  size_t b = 0;
  while (b < text.size() && !std::isalpha(static_cast<unsigned char>(text[b]))) ++b;
  size_t e = b;
  std::string w;
  while (e < text.size() && std::isalpha(static_cast<unsigned char>(text[e]))) {
    w += static_cast<char>(std::toupper(static_cast<unsigned char>(text[e++])));
  }
  return w;
}

class SqliteDriver : public Driver {
 public:
  // `flags`: SQLite::OPEN_* of the connection; `path` is what the user named
  // (messages, the lock), `open_path` what is opened (":memory:" stands in
  // for a missing file when reading only).
  SqliteDriver(std::string path, const std::string& open_path, int flags, int busy_timeout_ms, bool hold_file_lock)
      : path_(std::move(path)), hold_file_lock_(hold_file_lock), db_(open_path, flags, busy_timeout_ms) {}

  ~SqliteDriver() override {
    (void)RestoreJournalMode();
    if (lock_fd_ >= 0) ::close(lock_fd_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string ServerVersion() const override { return std::string("SQLite ") + sqlite3_libversion(); }
  bool TransactionalDdl() const override { return true; }
  std::optional<std::string> NonTransactionalReason(const Statement& s) const override {
    if (FirstWord(s.text) == "VACUUM") return std::string("VACUUM");
    return std::nullopt;
  }

  // flock() on the database file itself: independent of SQLite's own POSIX
  // locks, freed by the kernel when the process dies. The descriptor stays
  // open until the driver is destroyed, so SQLite's locks are never dropped
  // by a close() on the same file.
  Status Lock(std::chrono::milliseconds timeout) override {
    if (path_ == ":memory:" || path_.empty()) return Status::Ok();
    if (lock_fd_ < 0) {
      lock_fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
      if (lock_fd_ < 0) return Status(Code::kDatabaseError, path_ + ": cannot open for locking");
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto wait = std::chrono::milliseconds(5);
    while (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      if (std::chrono::steady_clock::now() >= deadline) {
        return Status(Code::kLockTimeout, path_ + ": locked by another dbroll");
      }
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, std::chrono::milliseconds(100));
    }
    HoldFileWhileLocked();
    return Status::Ok();
  }

  Status Unlock() override {
    Status durable = RestoreJournalMode();
    if (lock_fd_ >= 0) ::flock(lock_fd_, LOCK_UN);
    return durable;
  }

  Status RunTransaction(const std::vector<Statement>& statements,
                        const std::vector<std::string>& bookkeeping) override {
    if (Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    int index = 0;
    for (const auto& st : statements) {
      if (Status s = Exec(st.text); !s.ok()) return Abort(s.set_statement_index(index));
      ++index;
    }
    for (const auto& sql : bookkeeping) {
      if (Status s = Exec(sql); !s.ok()) return Abort(s.set_statement_index(index));
      ++index;
    }
    if (Status s = Exec("COMMIT"); !s.ok()) return Abort(s);
    return Status::Ok();
  }

  Status RunStatement(const Statement& statement) override { return Exec(statement.text); }

  std::string SessionId() const override { return std::to_string(::getpid()); }
  // Statements run inside the dbroll process itself, and the flock this
  // driver holds while migrating proves that an earlier process has ended.
  Result<bool> SessionAlive(const std::string&) override { return false; }

  std::string CatalogFingerprintSql(const std::vector<std::string>& objects, const std::string& exclude_prefix,
                                    FingerprintScope scope) const override {
    auto lit = [](const std::string& v) {
      std::string out = "'";
      for (char c : v) {
        out += c;
        if (c == '\'') out += '\'';
      }
      return out + "'";
    };
    auto in_list = [&](const std::vector<std::string>& names) {
      std::string in;
      for (const auto& o : names) in += (in.empty() ? "" : ", ") + lit(o);
      return in;
    };
    std::string cond;
    if (objects.empty()) {
      cond = "substr(name, 1, " + std::to_string(exclude_prefix.size()) + ") <> " + lit(exclude_prefix) +
             " AND name NOT LIKE 'sqlite_%'";
    } else {
      const std::string in = in_list(objects);
      cond = "(name IN (" + in + ") OR tbl_name IN (" + in + "))";
    }
    if (scope == FingerprintScope::kExistence && !objects.empty()) {
      return "(SELECT 'fpx:' || coalesce(group_concat(x, char(10)), 'none') FROM (SELECT type || '|' || name AS x "
             "FROM sqlite_master WHERE name IN (" + in_list(objects) + ") ORDER BY 1))";
    }
    return "(SELECT 'fp:' || coalesce(group_concat(x, char(10)), 'none') FROM (SELECT type || '|' || name || '|' || "
           "tbl_name || '|' || coalesce(sql, '') AS x FROM sqlite_master WHERE " +
           cond + " ORDER BY 1))";
  }

  Result<std::vector<Row>> Query(const std::string& sql) override {
    try {
      SQLite::Statement q(db_, sql);
      std::vector<Row> rows;
      const int n = q.getColumnCount();
      while (q.executeStep()) {
        Row r(n);
        for (int i = 0; i < n; ++i) {
          SQLite::Column c = q.getColumn(i);
          if (!c.isNull()) r[i] = c.getString();
        }
        rows.push_back(std::move(r));
      }
      return rows;
    } catch (const SQLite::Exception& e) {
      return FromException(e);
    }
  }

 private:
  Status Exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_.getHandle(), sql.c_str(), nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return Status::Ok();
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    const int primary = rc & 0xff;
    Status s(primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? Code::kLockTimeout : Code::kDatabaseError, msg);
    s.set_sqlstate("SQLITE_" + std::to_string(sqlite3_extended_errcode(db_.getHandle())));
    return s;
  }

  // While this runner holds the lock (a run of many small transactions), the
  // rollback journal is kept between commits and only its header is zeroed
  // (journal_mode=PERSIST) instead of creating and deleting the file for
  // every migration. Durability is the same (synchronous stays as it is).
  //
  // With `hold_file_lock_` (the fleet's setting sqlite.hold_file_lock) the
  // connection keeps SQLite's file lock for the whole run
  // (locking_mode=EXCLUSIVE: other connections wait for the run instead of
  // reading between two migrations) and runs it in WAL mode with
  // synchronous=NORMAL: a commit appends to the -wal file without an fsync,
  // and Unlock() makes the run durable in one checkpoint (fsync of the -wal
  // file, then of the database file) when it puts the file back in delete
  // mode. A tenant of 20 migrations costs 11 fsyncs instead of 90. What the
  // history promises holds: a migration and its history row commit in one
  // WAL transaction, a killed process loses nothing that committed (the -wal
  // file is in the page cache and replayed on the next open), and a power
  // loss before the checkpoint loses a suffix of the run's transactions,
  // each with its history row, never half of one: the tenant is at an older
  // version and the next run applies the rest. A run reports success only
  // after the checkpoint: Unlock() fails when it cannot make the run durable.
  //
  // WAL mode is stored in the file, so before switching, the driver leaves
  // a marker file beside it (`<db>-dbroll-wal`); a later dbroll (fleet or
  // not) that finds the marker on a WAL file puts the file back in delete
  // mode. Only the default DELETE mode is switched; a file the user put in
  // WAL mode (no marker) is left alone.
  void HoldFileWhileLocked() {
    if (journal_ != Journal::kAsFound) return;
    std::string mode = PragmaValue("journal_mode");
    std::error_code ec;
    if (mode == "wal" && !marker().empty() && std::filesystem::exists(marker(), ec)) {
      // A dbroll that switched this file was killed before it switched back.
      if (PragmaSet("journal_mode", "DELETE") == "delete") std::filesystem::remove(marker(), ec);
      mode = PragmaValue("journal_mode");
    }
    if (mode != "delete") return;
    if (!hold_file_lock_ || marker().empty()) {
      journal_ = Journal::kPersist;
      (void)Exec("PRAGMA journal_mode=PERSIST");
      return;
    }
    if (Status s = Exec("PRAGMA locking_mode=EXCLUSIVE"); !s.ok()) return;
    synchronous_ = PragmaValue("synchronous");
    if (synchronous_.empty()) synchronous_ = "FULL";
    if (int fd = ::open(marker().c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644); fd >= 0) {
      ::close(fd);
    } else {
      journal_ = Journal::kPersist;  // no marker, no WAL: the lock alone
      (void)Exec("PRAGMA journal_mode=PERSIST");
      return;
    }
    (void)Exec("PRAGMA synchronous=NORMAL");
    if (PragmaSet("journal_mode", "WAL") == "wal") {
      journal_ = Journal::kWal;
      return;
    }
    (void)Exec("PRAGMA synchronous=" + synchronous_);
    std::filesystem::remove(marker(), ec);
    journal_ = Journal::kPersist;
    (void)Exec("PRAGMA journal_mode=PERSIST");
  }

  Status RestoreJournalMode() {
    const Journal was = journal_;
    if (was == Journal::kAsFound) return Status::Ok();
    journal_ = Journal::kAsFound;
    Status durable = Status::Ok();
    if (was == Journal::kWal) {
      // The checkpoint: the run's commits go from the -wal file into the
      // database file, both fsync'ed.
      if (PragmaSet("journal_mode", "DELETE") != "delete") {
        durable = Status(Code::kDatabaseError,
                         path_ + ": the migrations of this run committed but could not be copied from " + path_ +
                             "-wal into the database file (" + sqlite3_errmsg(db_.getHandle()) +
                             ") -- they stay in the -wal file, which SQLite replays when the file is next opened; "
                             "check the disk (space, permissions) and run again to confirm the version");
      }
      (void)Exec("PRAGMA synchronous=" + synchronous_);
    }
    // In this order: the journal is deleted only in normal locking mode, and
    // the first read after that drops the file lock.
    if (hold_file_lock_) (void)Exec("PRAGMA locking_mode=NORMAL");
    (void)Exec("PRAGMA journal_mode=DELETE");
    if (hold_file_lock_) (void)Exec("SELECT count(*) FROM sqlite_master");
    std::error_code ec;
    if (was == Journal::kWal && durable.ok()) std::filesystem::remove(marker(), ec);
    return durable;
  }

  // `PRAGMA name` and `PRAGMA name=value`: the value SQLite answers ("" on error).
  std::string PragmaValue(const std::string& name) { return PragmaAnswer("PRAGMA " + name); }
  std::string PragmaSet(const std::string& name, const std::string& value) {
    return PragmaAnswer("PRAGMA " + name + "=" + value);
  }
  std::string PragmaAnswer(const std::string& sql) {
    try {
      SQLite::Statement q(db_, sql);
      return q.executeStep() ? q.getColumn(0).getString() : std::string();
    } catch (const SQLite::Exception&) {
      return std::string();
    }
  }
  // The file that says this database is in WAL mode because dbroll put it
  // there ("" for an in-memory database).
  std::string marker() const { return path_.empty() || path_ == ":memory:" ? std::string() : path_ + "-dbroll-wal"; }

  Status Abort(Status s) {
    if (!sqlite3_get_autocommit(db_.getHandle())) (void)Exec("ROLLBACK");
    return s;
  }

  std::string path_;
  bool hold_file_lock_;
  int lock_fd_ = -1;
  // The journal mode this driver set while it holds the lock.
  enum class Journal { kAsFound, kPersist, kWal };
  Journal journal_ = Journal::kAsFound;
  std::string synchronous_;  // what the connection had before kWal
  SQLite::Database db_;
};

}  // namespace

Result<std::unique_ptr<Driver>> OpenSqliteDriver(const DriverOptions& options) {
  auto url = ParseUrl(options.url);
  if (!url.ok()) return url.status();
  std::filesystem::path p = url->database;
  if (p != ":memory:" && p.is_relative() && !options.base_dir.empty()) p = std::filesystem::path(options.base_dir) / p;
  int busy_ms = 5000;
  if (auto it = options.settings.find("sqlite.busy_timeout"); it != options.settings.end()) {
    auto d = ParseDuration(it->second);
    if (!d.ok()) return Status(Code::kInvalidArgument, "[sqlite] busy_timeout: " + d.status().message());
    busy_ms = static_cast<int>(d->count());
  }
  bool hold_file_lock = false;
  if (auto it = options.settings.find("sqlite.hold_file_lock"); it != options.settings.end()) {
    hold_file_lock = it->second == "on";
  }
  std::string open_path = p.string();
  int flags = SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
  bool query_only = false;
  if (options.read_only && open_path != ":memory:") {
    // Reading never creates the file: a missing database reads as an empty one.
    struct stat st;
    if (::stat(open_path.c_str(), &st) != 0 && errno == ENOENT) {
      open_path = ":memory:";
    } else if (::access(open_path.c_str(), W_OK) == 0) {
      // Read-write without CREATE, and no statement may write: a read-only
      // connection could not roll back the hot journal a killed dbroll left,
      // and every read would fail until the next write.
      flags = SQLite::OPEN_READWRITE;
      query_only = true;
    } else {
      flags = SQLite::OPEN_READONLY;
    }
  }
  ConfigureSqliteOnce();
  try {
    auto driver = std::make_unique<SqliteDriver>(p.string(), open_path, flags, busy_ms, hold_file_lock);
    if (query_only) {
      auto r = driver->Query("PRAGMA query_only = ON");
      if (!r.ok()) return r.status();
    }
    return std::unique_ptr<Driver>(std::move(driver));
  } catch (const SQLite::Exception& e) {
    return Status(Code::kConnectionLost, p.string() + ": cannot open the SQLite database: " + e.what() +
                                             " -- check that the directory exists and is writable");
  }
}

}  // namespace dbroll::internal
