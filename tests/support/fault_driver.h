// The fake Driver of the unit tests: a real driver underneath (an in-memory
// SQLite database from InMemory(), or a SQLite file), with scriptable faults
// -- fail the n-th call of a method, or the (n-th) call whose SQL contains
// some text, before or after the real call ran -- and a log of every call, so
// each error path of the engine runs without a server.
#ifndef DBROLL_TESTS_SUPPORT_FAULT_DRIVER_H_
#define DBROLL_TESTS_SUPPORT_FAULT_DRIVER_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dbroll/driver.h"
#include "dbroll/status.h"

namespace dbroll::testing {

class FaultDriver : public Driver {
 public:
  enum class Method { kRunStatement, kRunTransaction, kQuery, kLock, kUnlock };
  enum class Fault {
    kError,             // the call fails with a database error; nothing ran
    kLostBefore,        // the connection drops before the call reached the server
    kLostAfter,         // the call ran and committed, then the connection dropped
    kCommitUnknown,     // RunTransaction: it committed, and the client cannot tell
    kBookkeepingError,  // RunTransaction: the bookkeeping failed, everything rolled back
    kLockTimeout,       // a lock wait timed out; nothing ran
    kVanished,          // the call reports success, but nothing it wrote is kept (as a
                        // transaction left open and rolled back when the session ends)
  };

  explicit FaultDriver(std::unique_ptr<Driver> inner) : inner_(std::move(inner)) {}

  // A fake over a fresh in-memory SQLite database: nothing on disk, the lock
  // always free (the engine's single-runner lock is then the fake's own).
  static std::unique_ptr<FaultDriver> InMemory() {
    DriverOptions o;
    o.url = "sqlite::memory:";
    auto inner = OpenDriver(o);
    if (!inner.ok()) return nullptr;
    return std::make_unique<FaultDriver>(std::move(inner).value());
  }

  // Fails the `nth` call (1-based, counted from now) of `method`.
  void FailNth(Method method, int nth, Fault fault) {
    rules_.push_back({method, counts_[static_cast<int>(method)] + nth, "", fault});
  }
  // Fails the first call of `method` whose SQL contains `needle`.
  void FailWhen(Method method, std::string needle, Fault fault) {
    rules_.push_back({method, 0, std::move(needle), fault});
  }
  // Fails the `nth` call (1-based, counted from now) of `method` whose SQL
  // contains `needle`: FailNthWhen(kRunTransaction, "dbroll_history", 2, ...)
  // fails the second history write that commits with a migration.
  void FailNthWhen(Method method, std::string needle, int nth, Fault fault) {
    rules_.push_back({method, 0, std::move(needle), fault, nth});
  }
  // Fails every call of `method` from now on (a server that went away).
  void FailAlways(Method method, Fault fault) { rules_.push_back({method, 0, "", fault, 0, true}); }
  // Every call so far, in order: "Lock", "Unlock", "Query <sql>",
  // "RunStatement <sql>", "RunTransaction <sql>; <sql> | <bookkeeping>",
  // each followed by " -> injected" when a fault was injected.
  const std::vector<std::string>& log() const { return log_; }
  // The logged calls whose text contains `needle`.
  std::vector<std::string> Calls(const std::string& needle) const {
    std::vector<std::string> out;
    for (const auto& l : log_) {
      if (l.find(needle) != std::string::npos) out.push_back(l);
    }
    return out;
  }
  // Statements containing `marker` are declared unable to run in a
  // transaction, so the engine runs them on their own, like MySQL DDL.
  void NonTransactional(std::string marker) { non_tx_marker_ = std::move(marker); }
  // What SessionAlive answers for other sessions (default: false).
  void SessionsAlive(bool alive) { alive_ = alive; }
  int calls(Method m) const { return counts_[static_cast<int>(m)]; }
  Driver& inner() { return *inner_; }

  Dialect dialect() const override { return inner_->dialect(); }
  std::string ServerVersion() const override { return inner_->ServerVersion(); }
  bool TransactionalDdl() const override { return inner_->TransactionalDdl(); }
  std::optional<std::string> NonTransactionalReason(const Statement& s) const override {
    if (!non_tx_marker_.empty() && s.text.find(non_tx_marker_) != std::string::npos) {
      return std::string("a statement marked ") + non_tx_marker_;
    }
    return inner_->NonTransactionalReason(s);
  }
  Status Lock(std::chrono::milliseconds timeout) override {
    log_.push_back("Lock");
    if (auto f = Take(Method::kLock, "")) return Fail(*f);
    return inner_->Lock(timeout);
  }
  // An injected Unlock fault: the lock is released, the call still fails
  // (as SQLite's checkpoint at the end of a fleet tenant's run can).
  Status Unlock() override {
    log_.push_back("Unlock");
    Status s = inner_->Unlock();
    if (auto f = Take(Method::kUnlock, "")) return Fail(*f);
    return s;
  }
  Status RunTransaction(const std::vector<Statement>& statements,
                        const std::vector<std::string>& bookkeeping) override {
    std::string all;
    for (const auto& s : statements) all += s.text + "\n";
    for (const auto& s : bookkeeping) all += s + "\n";
    std::string entry = "RunTransaction ";
    for (size_t i = 0; i < statements.size(); ++i) entry += (i ? "; " : "") + statements[i].text;
    entry += " |";
    for (const auto& s : bookkeeping) entry += " " + s;
    log_.push_back(entry);
    auto f = Take(Method::kRunTransaction, all);
    if (!f) return inner_->RunTransaction(statements, bookkeeping);
    if (*f == Fault::kVanished) return Status::Ok();
    if (*f == Fault::kBookkeepingError) {
      return Status(Code::kDatabaseError, "injected: the history write failed")
          .set_statement_index(static_cast<int>(statements.size()));
    }
    if (*f == Fault::kLostAfter || *f == Fault::kCommitUnknown) {
      DBROLL_RETURN_IF_ERROR(inner_->RunTransaction(statements, bookkeeping));
      if (*f == Fault::kCommitUnknown) return Status(Code::kCommitUnknown, "injected: commit outcome unknown");
    }
    return Fail(*f);
  }
  Status RunStatement(const Statement& statement) override {
    log_.push_back("RunStatement " + statement.text);
    auto f = Take(Method::kRunStatement, statement.text);
    if (!f) return inner_->RunStatement(statement);
    if (*f == Fault::kVanished) return Status::Ok();
    if (*f == Fault::kLostAfter) DBROLL_RETURN_IF_ERROR(inner_->RunStatement(statement));
    return Fail(*f);
  }
  Result<std::vector<Row>> Query(const std::string& sql) override {
    log_.push_back("Query " + sql);
    if (auto f = Take(Method::kQuery, sql)) return Fail(*f);
    return inner_->Query(sql);
  }
  std::string SessionId() const override { return inner_->SessionId(); }
  Result<bool> SessionAlive(const std::string& id) override {
    if (id == SessionId()) return false;
    return alive_;
  }
  std::string CatalogFingerprintSql(const std::vector<std::string>& objects,
                                    const std::string& exclude_prefix, FingerprintScope scope) const override {
    return inner_->CatalogFingerprintSql(objects, exclude_prefix, scope);
  }

 private:
  struct Rule {
    Method method;
    int nth;  // the call count that fails; 0: match by needle
    std::string needle;
    Fault fault;
    int nth_match = 1;    // with a needle: the matching call that fails
    bool always = false;  // never used up
  };

  std::optional<Fault> Take(Method m, const std::string& sql) {
    const int n = ++counts_[static_cast<int>(m)];
    for (size_t i = 0; i < rules_.size(); ++i) {
      Rule& r = rules_[i];
      if (r.method != m) continue;
      if (r.always) return Mark(r.fault);
      const bool hit = r.nth > 0 ? n == r.nth : sql.find(r.needle) != std::string::npos && --r.nth_match <= 0;
      if (!hit) continue;
      Fault f = r.fault;
      rules_.erase(rules_.begin() + static_cast<long>(i));
      return Mark(f);
    }
    return std::nullopt;
  }
  Fault Mark(Fault f) {
    log_.back() += " -> injected";
    return f;
  }
  static Status Fail(Fault f) {
    if (f == Fault::kError) return Status(Code::kDatabaseError, "injected: the server refused");
    if (f == Fault::kLockTimeout) return Status(Code::kLockTimeout, "injected: lock wait timeout");
    return Status(Code::kConnectionLost, "injected: the connection was lost");
  }

  std::unique_ptr<Driver> inner_;
  std::vector<Rule> rules_;
  std::vector<std::string> log_;
  int counts_[5] = {0, 0, 0, 0, 0};
  std::string non_tx_marker_;
  bool alive_ = false;
};

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_SUPPORT_FAULT_DRIVER_H_
