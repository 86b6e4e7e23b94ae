// The central store's schema in PostgreSQL, created and migrated by this program
// (`ecokiosk central init`), and the kiosks' login roles (`central add-kiosk`).
// Least privilege is PostgreSQL's job here: each kiosk role may only insert rows
// carrying its own kiosk id (row-level security), sees of the responses only the id
// and digest of its own (to tell "already there" from a conflict), and has no rights
// at all on indicator records or the kiosk list.
#pragma once
#include <string>

#include "core/central/pg.hpp"

namespace eco::central {

constexpr int kCentralSchemaVersion = 12;

struct SchemaState {
  Status status = Status::ok;  // ok, schema_older, schema_newer, not_initialised
  int version = 0;             // what the center has (0 when none)
  std::string words() const;
};
// Reads the center's schema version (as any role that may connect).
SchemaState check_schema(Conn& c);

struct InitReport {
  int from = 0, to = 0;  // schema versions before and after
};
// Creates or migrates the schema; safe to run twice and from two places at once.
// Throws PgError (schema_newer when the center is ahead of this program). target
// below the current version leaves an older center, for the tests of one.
InitReport init_schema(Conn& admin, int target = kCentralSchemaVersion);

// The group role every kiosk of this database belongs to, and the read-only role for
// district reports (both per database: roles are cluster-wide, grants are not).
std::string kiosk_group_role(Conn& c);
std::string reader_role(Conn& c);
// The group of each kind of personal account (issue 17): a department's staff, the
// propaganda department, district admins.
enum class AccountKind { department, propaganda, admin };
std::string staff_group_role(Conn& c, AccountKind k);
// The login role of one kiosk of this database.
std::string kiosk_role(Conn& c, const std::string& kiosk_id);

struct KioskCredentials {
  std::string user, password;
};
// Creates (or, for a kiosk added before, gives a new password to) the kiosk's role
// and records its hall. The password is random (libsodium) and sent to the server
// only as a SCRAM verifier.
KioskCredentials add_kiosk(Conn& admin, const std::string& kiosk_id, const std::string& hall_zh,
                           const std::string& hall_en);

}  // namespace eco::central
