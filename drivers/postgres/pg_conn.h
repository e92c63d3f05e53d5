// The PostgreSQL driver's handles on one session: a pqxx connection that also
// hands out its libpq PGconn, and a libpq result that frees itself.
#ifndef DBROLL_DRIVERS_POSTGRES_PG_CONN_H_
#define DBROLL_DRIVERS_POSTGRES_PG_CONN_H_

#include <libpq-fe.h>

#include <pqxx/connection>

#include <memory>
#include <string>

namespace dbroll::internal::pg {

struct ResultClearer {
  void operator()(PGresult* r) const { PQclear(r); }
};
// One libpq result, freed (PQclear) when it goes.
using Res = std::unique_ptr<PGresult, ResultClearer>;

// A pqxx connection built the way pqxx builds its own connection types (a
// connection_base with its connection policy embedded), whose policy keeps
// the PGconn it opens: the libpq path gets the session without touching pqxx
// internals. Connects in the constructor; throws what pqxx::connection throws
// (pqxx::broken_connection when the server cannot be reached).
class Connection : public pqxx::connection_base {
 public:
  explicit Connection(const std::string& conninfo);
  ~Connection() noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The session's libpq handle; null once pqxx has dropped the connection.
  // Owned by this object.
  PGconn* raw() const { return policy_.raw; }

 private:
  struct Policy : pqxx::connect_direct {
    explicit Policy(const std::string& options) : connect_direct(options) {}
    handle do_startconnect(handle orig) override { return raw = connect_direct::do_startconnect(orig); }
    handle do_completeconnect(handle orig) override { return raw = connect_direct::do_completeconnect(orig); }
    handle do_dropconnect(handle orig) noexcept override { return raw = connect_direct::do_dropconnect(orig); }
    handle do_disconnect(handle orig) noexcept override { return raw = connect_direct::do_disconnect(orig); }
    PGconn* raw = nullptr;
  };
  Policy policy_;
};

}  // namespace dbroll::internal::pg

#endif  // DBROLL_DRIVERS_POSTGRES_PG_CONN_H_
