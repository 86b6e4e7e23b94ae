// A thin RAII layer over libpq: a connection, results, and parameters passed as text.
// Only this folder includes libpq. Every failure is a PgError whose status says which
// kind of trouble it was, so the kiosk can tell "the center is down" from "my password
// is wrong" from "the certificate is not the district's".
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace eco::central {

// Why talking to the center failed (or did not).
enum class Status {
  ok,
  off,              // no central_url configured
  refused,          // nothing listens there (connection refused, timed out, host down)
  dns,              // the host name does not resolve
  tls,              // certificate untrusted or for another name; TLS required but refused
  tls_expired,      // the server's certificate is out of date (expired, or not valid yet)
  auth,             // wrong password, unknown role, credentials missing or unreadable
  schema_older,     // the center's schema is older than this program's
  schema_newer,     // newer: this program is out of date
  not_initialised,  // no EcoKiosk schema there at all (`central init` not run)
  refused_by_center,  // a statement the center refused (row-level security, permission)
  server,           // any other error the server reported mid-transaction (it went away, ...)
};
const char* status_name(Status s);  // "refused", "tls", ... (stable: the log and tests read them)
// One line a member of hall staff can act on.
std::string status_words(Status s);

struct PgError : std::runtime_error {
  PgError(Status s, const std::string& what, std::string sqlstate_ = "")
      : std::runtime_error(what), status(s), sqlstate(std::move(sqlstate_)) {}
  Status status;
  std::string sqlstate;  // "42501" (insufficient privilege), "" for connection failures
};

// Classifies libpq's message about a connection that could not be made.
Status classify_connect_error(std::string_view message);

class Result {
 public:
  explicit Result(pg_result* r) : r_(r) {}
  ~Result();
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  int rows() const;
  bool null(int row, int col) const;
  std::string text(int row, int col) const;
  std::int64_t i64(int row, int col) const;
  double f64(int row, int col) const;
  // The value in place (valid while the Result lives): no copy per cell when streaming.
  std::string_view view(int row, int col) const;
  std::int64_t affected() const;  // rows an INSERT/UPDATE touched
  pg_result* raw() const { return r_; }

 private:
  pg_result* r_;
};

// Parameters are text (nullopt = SQL NULL): PostgreSQL casts them as the statement says.
using Params = std::vector<std::optional<std::string>>;

class Conn {
 public:
  // conninfo: a postgresql:// URL or key=value string; extra keywords (user, password,
  // connect_timeout, ...) are added on top of it. Throws PgError when no session results.
  Conn(const std::string& conninfo, const std::vector<std::pair<std::string, std::string>>& extra = {});
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  Result exec(const std::string& sql, const Params& params = {});
  // COPY ... FROM STDIN with rows already in COPY's text format (tab-separated,
  // escaped as copy_field does, one per line).
  void copy_in(const std::string& sql, std::string_view rows);
  void run(const std::string& sql, const Params& params = {}) { exec(sql, params); }
  std::string scalar(const std::string& sql, const Params& params = {});  // "" when no row or NULL
  // Identifier and literal quoting by libpq (for DDL, where parameters are not allowed).
  std::string ident(std::string_view name);
  std::string literal(std::string_view value);
  // A SCRAM-SHA-256 verifier for the password, computed here so the clear password
  // never reaches the server (nor its log).
  std::string scram_verifier(const std::string& password, const std::string& role);
  pg_conn* raw() { return c_; }

 private:
  pg_conn* c_ = nullptr;
};

// BEGIN on construction; ROLLBACK on destruction unless commit() ran.
class Txn {
 public:
  explicit Txn(Conn& c) : c_(c) { c_.run("BEGIN"); }
  ~Txn();
  void commit() { c_.run("COMMIT"); done_ = true; }
 private:
  Conn& c_;
  bool done_ = false;
};

}  // namespace eco::central

namespace eco::central {
// Appends v to a COPY text row, escaped (backslash, tab, newline, carriage return).
void copy_field(std::string& row, std::string_view v);
// The URL with any user and password taken out (what a kiosk's config may hold).
std::string url_without_login(const std::string& url);
}  // namespace eco::central
