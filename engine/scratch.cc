#include "engine/scratch.h"

#include "engine/open_options.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "dbroll/source.h"
#include "dbroll/url.h"
#include "engine/engine_impl.h"
#include "engine/history.h"

namespace dbroll::internal {
namespace {

// A scratch database dbroll created is this process's alone: verify's many engine runs
// (four per version) need no migration lock, and taking it costs two round
// trips per run. Everything else goes to the real driver.
class UnlockedDriver : public Driver {
 public:
  explicit UnlockedDriver(std::unique_ptr<Driver> d) : d_(std::move(d)) {}
  Dialect dialect() const override { return d_->dialect(); }
  std::string ServerVersion() const override { return d_->ServerVersion(); }
  bool TransactionalDdl() const override { return d_->TransactionalDdl(); }
  std::optional<std::string> NonTransactionalReason(const Statement& s) const override {
    return d_->NonTransactionalReason(s);
  }
  bool RequiresUtf8() const override { return d_->RequiresUtf8(); }
  Status CheckSyntax(const std::vector<Statement>& statements) const override {
    return d_->CheckSyntax(statements);
  }
  Status PrepareForWrites() override { return d_->PrepareForWrites(); }
  Status Lock(std::chrono::milliseconds) override { return Status::Ok(); }
  Status Unlock() override { return Status::Ok(); }
  Status RunTransaction(const std::vector<Statement>& statements,
                        const std::vector<std::string>& bookkeeping) override {
    return d_->RunTransaction(statements, bookkeeping);
  }
  Status RunStatement(const Statement& statement) override { return d_->RunStatement(statement); }
  Result<std::vector<Row>> Query(const std::string& sql) override { return d_->Query(sql); }
  std::string SessionId() const override { return d_->SessionId(); }
  Result<bool> SessionAlive(const std::string& id) override { return d_->SessionAlive(id); }
  std::string CatalogFingerprintSql(const std::vector<std::string>& objects, const std::string& exclude_prefix,
                                    FingerprintScope scope) const override {
    return d_->CatalogFingerprintSql(objects, exclude_prefix, scope);
  }

 private:
  std::unique_ptr<Driver> d_;
};

}  // namespace

std::string ReplaceUrlDatabase(const std::string& url, const std::string& database) {
  return UrlWithDatabase(url, database);
}

Result<std::unique_ptr<ScratchDatabase>> ScratchDatabase::Create(const EngineOptions& options,
                                                                 const std::string& scratch_url) {
  std::unique_ptr<ScratchDatabase> s(new ScratchDatabase());
  if (!scratch_url.empty()) {
    s->url_ = scratch_url;
    s->description_ = "scratch database " + RedactUrl(scratch_url);
    return s;
  }
  auto dialect = DialectOfUrl(options.url);
  if (!dialect.ok()) return dialect.status();
  if (dialect.value() == Dialect::kSqlite) {
    std::filesystem::path dir;
    const char* tmp = std::getenv("TMPDIR");
    dir = tmp && *tmp ? tmp : "/tmp";
    std::string pattern = (dir / ("dbroll_scratch_" + std::to_string(getpid()) + "_XXXXXX")).string();
    const int fd = mkstemp(pattern.data());
    if (fd < 0) {
      return Status(Code::kInvalidArgument,
                    pattern + ": cannot create a temporary file for the scratch database -- set TMPDIR "
                              "to a writable directory or pass --scratch-url");
    }
    close(fd);
    s->file_ = pattern;
    s->url_ = "sqlite:" + pattern;
    s->description_ = "temporary file " + pattern;
    return s;
  }
  // Servers: create a database through the configured connection, so verify
  // needs no more rights than CREATE DATABASE.
  DriverOptions d;
  d.url = options.url;
  d.base_dir = options.base_dir;
  d.history_table = options.history_table;
  d.settings = options.driver_settings;
  auto admin = OpenDriver(d);
  if (!admin.ok()) return admin.status();
  static std::atomic<int> counter{0};
  const std::string name = "dbroll_scratch_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  Status created = admin.value()->RunStatement(
      Statement{"CREATE DATABASE " + QuoteIdent(dialect.value(), name), "", 1, 1, 0});
  if (!created.ok()) {
    return Status(created.code(), "creating scratch database " + name + ": " + created.message() +
                                      " -- grant CREATE DATABASE to this user or pass --scratch-url");
  }
  s->admin_ = std::move(admin).value();
  s->database_ = name;
  s->url_ = ReplaceUrlDatabase(options.url, name);
  s->description_ = "temporary database " + name;
  return s;
}

ScratchDatabase::~ScratchDatabase() {
  if (!file_.empty()) {
    std::error_code ec;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::filesystem::remove(file_ + suffix, ec);
  }
  if (admin_ && !database_.empty()) {
    const Dialect d = admin_->dialect();
    const std::string drop = "DROP DATABASE IF EXISTS " + QuoteIdent(d, database_);
    // FORCE ends sessions a failed step may have left behind (PostgreSQL 13+).
    if (d != Dialect::kPostgres || !admin_->RunStatement(Statement{drop + " WITH (FORCE)", "", 1, 1, 0}).ok()) {
      (void)admin_->RunStatement(Statement{drop, "", 1, 1, 0});
    }
  }
}

Status ScratchDatabase::Reset() {
  if (!file_.empty()) {
    std::error_code ec;
    for (const char* suffix : {"-journal", "-wal", "-shm"}) std::filesystem::remove(file_ + suffix, ec);
    std::filesystem::resize_file(file_, 0, ec);
    if (ec) return Status(Code::kInvalidArgument, file_ + ": cannot empty the scratch file: " + ec.message());
    return Status::Ok();
  }
  if (admin_ && !database_.empty()) {
    const Dialect d = admin_->dialect();
    const std::string q = QuoteIdent(d, database_);
    if (d != Dialect::kPostgres ||
        !admin_->RunStatement(Statement{"DROP DATABASE IF EXISTS " + q + " WITH (FORCE)", "", 1, 1, 0}).ok()) {
      if (Status s = admin_->RunStatement(Statement{"DROP DATABASE IF EXISTS " + q, "", 1, 1, 0}); !s.ok()) {
        s.Prepend("dropping scratch database " + database_ + " to rebuild it: ");
        return s;
      }
    }
    if (Status s = admin_->RunStatement(Statement{"CREATE DATABASE " + q, "", 1, 1, 0}); !s.ok()) {
      s.Prepend("creating scratch database " + database_ + " again: ");
      return s;
    }
    return Status::Ok();
  }
  return Status(Code::kUnsupported, description_ + " was given by --scratch-url and is never dropped, so it "
                                                   "cannot be rebuilt from empty -- leave --scratch-url out to "
                                                   "verify past a finding");
}

namespace {

// The files do not change while verify replays them, one migrate or down per
// version: list and read them once, not once per step.
class ListedOnce : public MigrationSource {
 public:
  explicit ListedOnce(std::unique_ptr<MigrationSource> inner) : inner_(std::move(inner)) {}
  Result<std::vector<Migration>> List(Dialect dialect) override {
    if (!listed_ || dialect != dialect_) {
      listed_ = inner_->List(dialect);
      dialect_ = dialect;
    }
    return *listed_;
  }

 private:
  std::unique_ptr<MigrationSource> inner_;
  std::optional<Result<std::vector<Migration>>> listed_;
  Dialect dialect_ = Dialect::kSqlite;
};

}  // namespace

Result<std::unique_ptr<Engine>> ScratchDatabase::OpenEngine(const EngineOptions& options) const {
  EngineOptions o = options;
  o.url = url_;
  o.read_only = false;  // the scratch database is dbroll's own to write
  auto driver = OpenDriver(DriverOptionsOf(o));
  if (!driver.ok()) return driver.status();
  auto source = std::make_unique<ListedOnce>(MigrationDirectoryOf(o));
  // A --scratch-url database may be shared: it keeps the lock.
  std::unique_ptr<Driver> d_used = std::move(driver).value();
  const bool own = !file_.empty() || !database_.empty();
  if (own) d_used = std::make_unique<UnlockedDriver>(std::move(d_used));
  auto engine = Engine::Open(std::move(d_used), std::move(source), o, nullptr);
  // Created empty for this process (and emptied again by Reset before a new
  // engine opens): the engine may trust what it made itself.
  if (engine.ok() && own) {
    if (auto* impl = dynamic_cast<EngineImpl*>(engine.value().get())) impl->set_private_scratch();
  }
  if (engine.ok() && !file_.empty()) {
    // A temporary file nobody reads after a crash: no need to wait for the
    // disk at every commit (verify commits three times per version).
    (void)engine.value()->driver().RunStatement(Statement{"PRAGMA synchronous = OFF", "", 1, 1, 0});
  }
  if (engine.ok() && !database_.empty() && engine.value()->driver().dialect() == Dialect::kPostgres) {
    // The same for a server database dbroll created for itself: this
    // session's commits do not wait for the WAL to reach the disk. What
    // they wrote is visible at once as ever; only a server crash could lose
    // the last of them, and the scratch database is thrown away.
    (void)engine.value()->driver().RunStatement(Statement{"SET synchronous_commit = off", "", 1, 1, 0});
  }
  return engine;
}

}  // namespace dbroll::internal
