// The registry OpenDriver looks up by dialect. It knows no driver: the
// built-in ones come from BuiltinDrivers() before the first use (an explicit
// call, so no driver depends on a static initializer surviving the link).
#include <array>
#include <iterator>
#include <mutex>

#include "drivers/factories.h"

namespace dbroll {
namespace {

constexpr size_t kDialects = 3;  // enum Dialect

struct Registry {
  std::mutex mu;
  std::array<DriverFactory, kDialects> factories;
};

// Filled with the built-in drivers on first use.
Registry& TheRegistry() {
  static Registry* registry = [] {
    auto* r = new Registry;
    for (auto& [dialect, factory] : internal::BuiltinDrivers()) {
      r->factories[static_cast<size_t>(dialect)] = std::move(factory);
    }
    return r;
  }();
  return *registry;
}

}  // namespace

std::unique_ptr<SessionPool::Session> SessionPool::Take(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  // The most recently kept first: its server process has the warmest caches.
  for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
    if (it->first != key) continue;
    std::unique_ptr<Session> s = std::move(it->second);
    idle_.erase(std::next(it).base());
    return s;
  }
  return nullptr;
}

void SessionPool::Put(const std::string& key, std::unique_ptr<Session> session) {
  std::unique_ptr<Session> evicted;  // closed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  if (max_idle_ == 0) {
    evicted = std::move(session);
    return;
  }
  if (idle_.size() >= max_idle_) {
    evicted = std::move(idle_.front().second);
    idle_.pop_front();
  }
  idle_.emplace_back(key, std::move(session));
}

Status RegisterDriver(Dialect dialect, DriverFactory factory) {
  if (!factory) {
    return Status(Code::kInvalidArgument, std::string("RegisterDriver(") + DialectName(dialect) +
                                              "): the factory is empty -- to remove a driver call UnregisterDriver");
  }
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.factories[static_cast<size_t>(dialect)] = std::move(factory);
  return Status::Ok();
}

void UnregisterDriver(Dialect dialect) {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.factories[static_cast<size_t>(dialect)] = nullptr;
}

std::vector<Dialect> RegisteredDrivers() {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<Dialect> out;
  for (size_t i = 0; i < kDialects; ++i) {
    if (r.factories[i]) out.push_back(static_cast<Dialect>(i));
  }
  return out;
}

Result<std::unique_ptr<Driver>> OpenDriver(const DriverOptions& options) {
  auto dialect = DialectOfUrl(options.url);
  if (!dialect.ok()) return dialect.status();
  DriverFactory factory;
  {
    Registry& r = TheRegistry();
    std::lock_guard<std::mutex> lock(r.mu);
    factory = r.factories[static_cast<size_t>(dialect.value())];
  }
  if (factory) return factory(options);
  return Status(Code::kUnsupported,
                std::string("the ") + DialectName(dialect.value()) + " driver is not built into this dbroll (" +
                    RedactUrl(options.url) + ") -- rebuild with -DDBROLL_WITH_" +
                    (dialect.value() == Dialect::kPostgres ? "POSTGRES" : dialect.value() == Dialect::kMysql ? "MYSQL" : "SQLITE") +
                    "=ON");
}

}  // namespace dbroll
