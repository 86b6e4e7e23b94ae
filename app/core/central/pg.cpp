#include "core/central/pg.hpp"

#include <libpq-fe.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>

#include "core/support/config.hpp"
#include "core/support/shared_library.hpp"

#include <chrono>
#include <mutex>
#include <ctime>

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace eco::central {

namespace {
// libpq, and OpenSSL for an expired certificate's dates, are opened at the first
// connection to the center, not with the program: a kiosk without central_url never
// loads them (nor GnuTLS, Kerberos and LDAP behind libpq), which saves their memory and
// start-up time in every kiosk (issue 20). Each call below goes through `pg`.
#define ECO_LIBPQ(X) X(PQclear) X(PQcmdTuples) X(PQconnectPoll) X(PQconnectStartParams) X(PQconnectdbParams) X(PQconninfoFree) X(PQconninfoParse) X(PQencryptPasswordConn) X(PQerrorMessage) X(PQescapeIdentifier) X(PQescapeLiteral) X(PQexec) X(PQexecParams) X(PQfinish) X(PQfreemem) X(PQgetResult) X(PQgetisnull) X(PQgetlength) X(PQgetvalue) X(PQntuples) X(PQputCopyData) X(PQputCopyEnd) X(PQresultErrorField) X(PQresultErrorMessage) X(PQresultStatus) X(PQsetNoticeProcessor) X(PQsocket) X(PQsslStruct) X(PQstatus)
#define ECO_LIBSSL(X) X(SSL_get1_peer_certificate) X(SSL_get_peer_cert_chain) X(SSL_is_init_finished)
#define ECO_LIBCRYPTO(X) X(ASN1_TIME_to_tm) X(X509_STORE_CTX_free) X(X509_STORE_CTX_init) X(X509_STORE_CTX_new) X(X509_STORE_CTX_set_flags) X(X509_STORE_free) X(X509_STORE_load_file) X(X509_STORE_new) X(X509_cmp_current_time) X(X509_free) X(X509_get0_notAfter) X(X509_get0_notBefore) X(X509_verify_cert)
struct PgApi {
#define ECO_FIELD(f) decltype(&::f) f = nullptr;
  ECO_LIBPQ(ECO_FIELD) ECO_LIBSSL(ECO_FIELD) ECO_LIBCRYPTO(ECO_FIELD)
#undef ECO_FIELD
};
PgApi pg;

// Empty once every function is found (the first call loads, later ones answer at once);
// else why the center cannot be reached from this kiosk.
std::string load_pg() {
  static std::once_flag once;
  static std::string why;
  std::call_once(once, [] {
    static SharedLibrary libpq("libpq.so.5", "libpq5"), libssl("libssl.so.3", "libssl3"),
        libcrypto("libcrypto.so.3", "libssl3");
    PgApi api;
    bool ok = true;
#define ECO_BIND(lib) [&](auto& fn, const char* name) { if (ok && !lib.bind(fn, name)) { ok = false; why = lib.error(); } }
    auto from_pq = ECO_BIND(libpq);
    auto from_ssl = ECO_BIND(libssl);
    auto from_crypto = ECO_BIND(libcrypto);
#undef ECO_BIND
#define ECO_PQ(f) from_pq(api.f, #f);
#define ECO_SSL(f) from_ssl(api.f, #f);
#define ECO_CRYPTO(f) from_crypto(api.f, #f);
    ECO_LIBPQ(ECO_PQ) ECO_LIBSSL(ECO_SSL) ECO_LIBCRYPTO(ECO_CRYPTO)
#undef ECO_PQ
#undef ECO_SSL
#undef ECO_CRYPTO
    if (ok) pg = api;
    else why = "the PostgreSQL client library is unavailable: " + why;
  });
  return why;
}
}  // namespace

const char* status_name(Status s) {
  switch (s) {
    case Status::ok: return "ok";
    case Status::off: return "off";
    case Status::refused: return "refused";
    case Status::dns: return "dns";
    case Status::tls: return "tls";
    case Status::tls_expired: return "tls-expired";
    case Status::auth: return "auth";
    case Status::schema_older: return "schema-older";
    case Status::schema_newer: return "schema-newer";
    case Status::not_initialised: return "not-initialised";
    case Status::refused_by_center: return "refused-by-center";
    case Status::server: return "server";
  }
  return "?";
}

std::string status_words(Status s) {
  switch (s) {
    case Status::ok: return "connected";
    case Status::off: return "central sync is off (no central_url in the configuration)";
    case Status::refused: return "the center cannot be reached (nothing answers at its address); will retry";
    case Status::dns: return "the center's host name is unknown (DNS); check central_url or the network";
    case Status::tls: return "the center's certificate is not trusted or not for this address (TLS); ask district IT";
    case Status::tls_expired:
      return "the center's certificate has expired (or is not valid yet); district IT must renew it";
    case Status::auth: return "the center refused this kiosk's login (password or credentials file); ask district IT";
    case Status::schema_older: return "the center's database is older than this program; district IT must run central init";
    case Status::schema_newer: return "the center's database is newer than this program; update EcoKiosk";
    case Status::not_initialised:
      return "the center's database is not set up (no such database, or no EcoKiosk tables); district IT must create it "
             "or run central init";
    case Status::refused_by_center: return "the center refused what this kiosk sent (its permissions); ask district IT";
    case Status::server: return "the center reported an error; will retry";
  }
  return "?";
}

namespace {
bool has(std::string_view m, std::string_view needle) { return m.find(needle) != std::string_view::npos; }
}  // namespace

Status classify_connect_error(std::string_view m) {
  // libpq gives no code for a failed connection, only its message. The program never
  // calls setlocale for messages, so libpq's own words stay English; the server's are
  // in its lc_messages (the throwaway cluster and README's setup keep C/English).
  // The server's own refusal ("FATAL:") comes after any TLS handshake succeeded, and its
  // pg_hba.conf messages end with "SSL encryption": words about TLS there are not a TLS
  // problem. libpq's own failures (DNS, TLS, no password) never carry "FATAL:".
  if (has(m, "FATAL:")) {
    if (has(m, "FATAL:  database \"") && has(m, "does not exist")) return Status::not_initialised;
    if (has(m, "authentication failed") || has(m, "pg_hba.conf") || has(m, "does not exist") ||
        has(m, "not permitted to log in") || has(m, "client certificate") || has(m, "permission denied"))
      return Status::auth;
    // Starting up, shutting down, too many connections, a setting in the URL it refuses:
    // the center answered, so not "nothing answers"; retried like any server error.
    return Status::server;
  }
  // A connection dropped after its TLS handshake (a server restarting, the network) is
  // not a certificate problem: retried.
  if (has(m, "closed unexpectedly") || has(m, "SSL SYSCALL error") || has(m, "EOF detected"))
    return Status::refused;
  if (has(m, "could not translate host name") || has(m, "Name or service not known") ||
      has(m, "Temporary failure in name resolution"))
    return Status::dns;
  if (has(m, "certificate") || has(m, "SSL") || has(m, "ssl") || has(m, "TLS") || has(m, "GSSAPI"))
    return Status::tls;
  if (has(m, "password authentication failed") || has(m, "no password supplied") ||
      has(m, "authentication failed") || has(m, "does not exist") || has(m, "pg_hba.conf") ||
      has(m, "SCRAM") || has(m, "not permitted to log in"))
    return Status::auth;
  return Status::refused;  // refused, timed out, unreachable, server starting or shutting down
}

namespace {

std::string day_of(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || pg.ASN1_TIME_to_tm(t, &tm) != 1) return "?";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

// The root certificate file the connection verifies against (sslrootcert, else libpq's
// default ~/.postgresql/root.crt).
std::string root_file(const std::string& conninfo) {
  std::string out;
  if (PQconninfoOption* opts = pg.PQconninfoParse(conninfo.c_str(), nullptr)) {
    for (PQconninfoOption* o = opts; o->keyword; ++o)
      if (std::string_view(o->keyword) == "sslrootcert" && o->val) out = o->val;
    pg.PQconninfoFree(opts);
  }
  if (out.empty())
    if (const char* e = std::getenv("PGSSLROOTCERT"); e && *e) out = e;
  if (out.empty())
    if (const char* h = std::getenv("HOME"); h && *h) out = std::string(h) + "/.postgresql/root.crt";
  return out;
}

// Whether cert (with the chain the server sent) verifies against the trusted roots
// when time is not checked: then being out of date is all that is wrong with it.
bool trusted_apart_from_time(X509* cert, STACK_OF(X509) * chain, const std::string& roots) {
  X509_STORE* store = pg.X509_STORE_new();
  X509_STORE_CTX* ctx = pg.X509_STORE_CTX_new();
  bool ok = store && ctx && !roots.empty() && pg.X509_STORE_load_file(store, roots.c_str()) == 1 &&
            pg.X509_STORE_CTX_init(ctx, store, cert, chain) == 1;
  if (ok) {
    pg.X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
    ok = pg.X509_verify_cert(ctx) == 1;
  }
  pg.X509_STORE_CTX_free(ctx);
  pg.X509_STORE_free(store);
  return ok;
}

// libpq says only "certificate verify failed". Whether the certificate is merely out
// of date is read from the certificate itself: a second connection that does not
// verify (sslmode=require with no root file), given up right after the TLS handshake,
// before the startup packet: no login is sent. It counts as out of date only when it
// is one the kiosk's roots would trust on another day. "" when it is not out of date,
// or when that cannot be told.
std::string certificate_out_of_date(const std::string& conninfo) {
  const char* keys[] = {"dbname", "sslmode", "sslrootcert", "gssencmode", "user", "password", "application_name", nullptr};
  const char* values[] = {conninfo.c_str(), "require", "/nonexistent/ecokiosk-certificate-probe", "disable",
                          "ecokiosk_certificate_probe", "", "ecokiosk", nullptr};
  PGconn* c = pg.PQconnectStartParams(keys, values, 1);
  if (!c) return "";
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  PostgresPollingStatusType st = PGRES_POLLING_WRITING;
  while (pg.PQstatus(c) != CONNECTION_BAD && std::chrono::steady_clock::now() < deadline) {
    if (SSL* ssl = static_cast<SSL*>(pg.PQsslStruct(c, "OpenSSL")); ssl && pg.SSL_is_init_finished(ssl)) {
      if (X509* cert = pg.SSL_get1_peer_certificate(ssl)) {
        // Untrusted (another CA): that is the news, not the dates.
        const bool trusted = trusted_apart_from_time(cert, pg.SSL_get_peer_cert_chain(ssl), root_file(conninfo));
        if (trusted && pg.X509_cmp_current_time(pg.X509_get0_notAfter(cert)) < 0)
          out = "the center's certificate expired on " + day_of(pg.X509_get0_notAfter(cert));
        else if (trusted && pg.X509_cmp_current_time(pg.X509_get0_notBefore(cert)) > 0)
          out = "the center's certificate is not valid before " + day_of(pg.X509_get0_notBefore(cert));
        pg.X509_free(cert);
      }
      break;
    }
    if (st == PGRES_POLLING_OK || st == PGRES_POLLING_FAILED) break;
    pollfd p{pg.PQsocket(c), static_cast<short>(st == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
    if (p.fd < 0 || ::poll(&p, 1, 1000) < 0) break;
    st = pg.PQconnectPoll(c);
  }
  pg.PQfinish(c);
  return out;
}

}  // namespace

Result::~Result() {
  if (r_) pg.PQclear(r_);
}
int Result::rows() const { return pg.PQntuples(r_); }
bool Result::null(int row, int col) const { return pg.PQgetisnull(r_, row, col) != 0; }
std::string Result::text(int row, int col) const {
  return std::string(pg.PQgetvalue(r_, row, col), static_cast<std::size_t>(pg.PQgetlength(r_, row, col)));
}
std::int64_t Result::i64(int row, int col) const { return std::strtoll(pg.PQgetvalue(r_, row, col), nullptr, 10); }
double Result::f64(int row, int col) const {
  // from_chars: exact and independent of the C locale (PostgreSQL prints the shortest
  // text that reads back as the same double).
  std::string_view v = view(row, col);
  double d = 0;
  std::from_chars(v.data(), v.data() + v.size(), d);
  return d;
}
std::string_view Result::view(int row, int col) const {
  return {pg.PQgetvalue(r_, row, col), static_cast<std::size_t>(pg.PQgetlength(r_, row, col))};
}
std::int64_t Result::affected() const {
  const char* n = pg.PQcmdTuples(r_);
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

Conn::Conn(const std::string& conninfo, const std::vector<std::pair<std::string, std::string>>& extra) {
  if (std::string why = load_pg(); !why.empty()) throw PgError(Status::refused, why);
  std::vector<const char*> keys{"dbname"}, values{conninfo.c_str()};
  // A center that does not answer must not hold the worker for minutes.
  bool has_timeout = conninfo.find("connect_timeout") != std::string::npos;
  for (const auto& [k, v] : extra) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
    if (k == "connect_timeout") has_timeout = true;
  }
  if (!has_timeout) {
    keys.push_back("connect_timeout");
    values.push_back("10");
  }
  keys.push_back("application_name");
  values.push_back("ecokiosk");
  keys.push_back(nullptr);
  values.push_back(nullptr);
  c_ = pg.PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (!c_) throw PgError(Status::refused, "out of memory connecting to the center");
  if (pg.PQstatus(c_) != CONNECTION_OK) {
    std::string msg = pg.PQerrorMessage(c_);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    pg.PQfinish(c_);
    c_ = nullptr;
    if (msg.find("invalid URI") != std::string::npos || msg.find("invalid connection option") != std::string::npos ||
        msg.find("missing \"=\"") != std::string::npos)
      throw PgError(Status::refused, "central_url is not a valid PostgreSQL address: " + msg);
    Status s = classify_connect_error(msg);
    if (s == Status::tls && msg.find("certificate verify failed") != std::string::npos)
      if (std::string why = certificate_out_of_date(conninfo); !why.empty())
        throw PgError(Status::tls_expired, why + " (" + msg + ")");
    throw PgError(s, msg);
  }
  // Notices ("already exists, skipping") are the server being chatty, not news for staff.
  pg.PQsetNoticeProcessor(c_, [](void*, const char*) {}, nullptr);
}

Conn::~Conn() {
  if (c_) pg.PQfinish(c_);
}

namespace {
// The error a failed statement (r, possibly null) gives, with its status.
PgError error_of(pg_conn* c_, pg_result* r) {
  std::string msg = r ? pg.PQresultErrorMessage(r) : pg.PQerrorMessage(c_);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  const char* code = r ? pg.PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = code ? code : "";
  Status s = Status::server;
  if (sqlstate == "42501") s = Status::refused_by_center;  // insufficient privilege, row-level security
  else if (sqlstate.rfind("28", 0) == 0) s = Status::auth;
  else if (pg.PQstatus(c_) == CONNECTION_BAD) s = Status::refused;  // the server went away mid-batch
  return PgError(s, msg, sqlstate);
}
}  // namespace

Result Conn::exec(const std::string& sql, const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  // Without parameters the simple protocol runs it, so a migration may hold many statements.
  pg_result* r = params.empty() ? pg.PQexec(c_, sql.c_str())
                                : pg.PQexecParams(c_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                               values.data(), nullptr, nullptr, 0);
  Result res(r);
  ExecStatusType st = r ? pg.PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return res;
  throw error_of(c_, r);
}

void Conn::copy_in(const std::string& sql, std::string_view rows) {
  {
    Result start(pg.PQexec(c_, sql.c_str()));
    pg_result* r = start.raw();
    if (!r || pg.PQresultStatus(r) != PGRES_COPY_IN) throw error_of(c_, r);
  }
  bool sent = true;
  for (std::size_t at = 0; sent && at < rows.size();) {
    std::size_t n = std::min<std::size_t>(rows.size() - at, std::size_t{1} << 20);
    sent = pg.PQputCopyData(c_, rows.data() + at, static_cast<int>(n)) == 1;
    at += n;
  }
  if (pg.PQputCopyEnd(c_, sent ? nullptr : "the rows could not be sent") != 1) sent = false;
  std::optional<PgError> error;
  // The COPY's result, then the end of results (always read, or the connection stays busy).
  while (pg_result* r = pg.PQgetResult(c_)) {
    Result res(r);
    if (pg.PQresultStatus(r) != PGRES_COMMAND_OK && !error) error = error_of(c_, r);
  }
  if (!sent && !error) error = error_of(c_, nullptr);
  if (error) throw *error;
}

void copy_field(std::string& row, std::string_view v) {
  for (char ch : v) {
    switch (ch) {
      case '\\': row += "\\\\"; break;
      case '\t': row += "\\t"; break;
      case '\n': row += "\\n"; break;
      case '\r': row += "\\r"; break;
      default: row += ch;
    }
  }
}

std::string Conn::scalar(const std::string& sql, const Params& params) {
  Result r = exec(sql, params);
  if (r.rows() == 0 || r.null(0, 0)) return "";
  return r.text(0, 0);
}

std::string Conn::ident(std::string_view name) {
  char* q = pg.PQescapeIdentifier(c_, name.data(), name.size());
  if (!q) throw PgError(Status::server, pg.PQerrorMessage(c_));
  std::string out(q);
  pg.PQfreemem(q);
  return out;
}

std::string Conn::literal(std::string_view value) {
  char* q = pg.PQescapeLiteral(c_, value.data(), value.size());
  if (!q) throw PgError(Status::server, pg.PQerrorMessage(c_));
  std::string out(q);
  pg.PQfreemem(q);
  return out;
}

std::string Conn::scram_verifier(const std::string& password, const std::string& role) {
  char* v = pg.PQencryptPasswordConn(c_, password.c_str(), role.c_str(), "scram-sha-256");
  if (!v) throw PgError(Status::server, std::string("could not hash the password: ") + pg.PQerrorMessage(c_));
  std::string out(v);
  pg.PQfreemem(v);
  return out;
}

Txn::~Txn() {
  if (done_) return;
  try {
    c_.run("ROLLBACK");
  } catch (...) {
    // The connection is gone: the server rolled back on its own.
  }
}

}  // namespace eco::central

namespace eco::central {
std::string url_without_login(const std::string& url) {
  std::string out = url;
  std::size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    std::size_t start = scheme + 3;
    std::size_t end = out.find_first_of("/?", start);
    std::size_t at = out.rfind('@', end == std::string::npos ? out.size() : end);
    if (at != std::string::npos && at >= start) out.erase(start, at + 1 - start);
  }
  // user= and password= among the query parameters
  std::size_t q = out.find('?');
  if (q == std::string::npos) return out;
  std::string kept;
  for (std::string_view part : url_query_params(out)) {
    const std::string name = url_param_name(part);  // "%70assword" is a password to libpq too
    if (!part.empty() && name != "user" && name != "password") (kept += kept.empty() ? "" : "&") += part;
  }
  return kept.empty() ? out.substr(0, q) : out.substr(0, q) + "?" + kept;
}
}  // namespace eco::central
