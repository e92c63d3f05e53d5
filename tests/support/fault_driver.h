// A Driver wrapper for unit tests that injects faults into a real driver
// (SQLite in a temp dir): fail the n-th call of a method, or the first call
// whose SQL contains some text, before or after the real call ran.
#ifndef DBROLL_TESTS_SUPPORT_FAULT_DRIVER_H_
#define DBROLL_TESTS_SUPPORT_FAULT_DRIVER_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dbroll/driver.h"

namespace dbroll::testing {

class FaultDriver : public Driver {
 public:
  enum class Method { kRunStatement, kRunTransaction, kQuery, kLock };
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

  // Fails the `nth` call (1-based, counted from now) of `method`.
  void FailNth(Method method, int nth, Fault fault) {
    rules_.push_back({method, counts_[static_cast<int>(method)] + nth, "", fault});
  }
  // Fails the first call of `method` whose SQL contains `needle`.
  void FailWhen(Method method, std::string needle, Fault fault) {
    rules_.push_back({method, 0, std::move(needle), fault});
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
    if (auto f = Take(Method::kLock, "")) return Fail(*f);
    return inner_->Lock(timeout);
  }
  Status Unlock() override { return inner_->Unlock(); }
  Status RunTransaction(const std::vector<Statement>& statements,
                        const std::vector<std::string>& bookkeeping) override {
    std::string all;
    for (const auto& s : statements) all += s.text + "\n";
    for (const auto& s : bookkeeping) all += s + "\n";
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
    auto f = Take(Method::kRunStatement, statement.text);
    if (!f) return inner_->RunStatement(statement);
    if (*f == Fault::kVanished) return Status::Ok();
    if (*f == Fault::kLostAfter) DBROLL_RETURN_IF_ERROR(inner_->RunStatement(statement));
    return Fail(*f);
  }
  Result<std::vector<Row>> Query(const std::string& sql) override {
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
  };

  std::optional<Fault> Take(Method m, const std::string& sql) {
    const int n = ++counts_[static_cast<int>(m)];
    for (size_t i = 0; i < rules_.size(); ++i) {
      const Rule& r = rules_[i];
      if (r.method != m) continue;
      const bool hit = r.nth > 0 ? n == r.nth : sql.find(r.needle) != std::string::npos;
      if (!hit) continue;
      Fault f = r.fault;
      rules_.erase(rules_.begin() + static_cast<long>(i));
      return f;
    }
    return std::nullopt;
  }
  static Status Fail(Fault f) {
    if (f == Fault::kError) return Status(Code::kDatabaseError, "injected: the server refused");
    if (f == Fault::kLockTimeout) return Status(Code::kLockTimeout, "injected: lock wait timeout");
    return Status(Code::kConnectionLost, "injected: the connection was lost");
  }

  std::unique_ptr<Driver> inner_;
  std::vector<Rule> rules_;
  int counts_[4] = {0, 0, 0, 0};
  std::string non_tx_marker_;
  bool alive_ = false;
};

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_SUPPORT_FAULT_DRIVER_H_
