#include "core/central/schema.hpp"

#include <sodium.h>

#include <vector>

namespace eco::central {

namespace {

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += d[p[i] >> 4];
    out += d[p[i] & 15];
  }
  return out;
}

std::string short_hash(const std::string& s, std::size_t bytes) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  return hex(h, bytes);
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// Each entry moves the schema up one version; never edit a shipped entry, add one.
// {kiosks} and {readers} stand for this database's group roles (quoted identifiers).
const char* const kCentralMigrations[] = {
    // 1: the kiosk's response model, the kiosk list with halls, conflicts, indicator records.
    R"sql(
CREATE TABLE kiosks(
  kiosk text PRIMARY KEY,
  role name NOT NULL UNIQUE,
  hall_zh text NOT NULL DEFAULT '',
  hall_en text NOT NULL DEFAULT '',
  added_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE questionnaire_definitions(
  questionnaire text NOT NULL,
  version integer NOT NULL,
  content_hash text NOT NULL,
  definition text NOT NULL,
  first_seen bigint NOT NULL,
  PRIMARY KEY(questionnaire, version, content_hash)
);
CREATE TABLE responses(
  id text PRIMARY KEY,               -- lower-case UUID, as the kiosk stores it
  kiosk text NOT NULL REFERENCES kiosks(kiosk),
  questionnaire text NOT NULL,
  version integer NOT NULL,
  content_hash text NOT NULL,
  lang text NOT NULL,
  started_at bigint NOT NULL,        -- ms since epoch, UTC
  completed_at bigint NOT NULL,
  duration_s double precision NOT NULL,
  visible_questions integer NOT NULL,
  drawn text NOT NULL DEFAULT '[]',
  digest text NOT NULL,              -- SHA-256 of the interchange line: same id, other digest = conflict
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX responses_by_questionnaire ON responses(questionnaire, completed_at);
CREATE INDEX responses_by_kiosk ON responses(kiosk, completed_at);
-- No foreign key on response: kiosks add answers only through ecokiosk_add_answers,
-- which checks once per batch that every response named exists and is theirs (a
-- per-row key check on tens of atoms per response halved the sync's throughput).
CREATE TABLE answers(
  response text NOT NULL,
  ord integer NOT NULL,
  question text NOT NULL,
  kind integer NOT NULL,             -- as on the kiosk: 1 choice, 2 option of a multiple choice, 3 integer, 4 count row, 5 text
  item text NOT NULL DEFAULT '',
  value bigint,
  text text,
  PRIMARY KEY(response, ord)
);
CREATE TABLE response_metrics(
  response text PRIMARY KEY,         -- checked like answers'
  method integer NOT NULL,
  questionnaire text NOT NULL,
  version integer NOT NULL,
  kiosk text NOT NULL,
  completed_at bigint NOT NULL,
  duration_s double precision NOT NULL,
  visible integer NOT NULL,
  age text, gender text, township text,
  score double precision NOT NULL,
  correct integer NOT NULL, drawn integer NOT NULL,
  satisfied integer NOT NULL,
  trips integer NOT NULL, green integer NOT NULL,
  flags integer NOT NULL,
  fingerprint bigint NOT NULL,
  outcomes jsonb NOT NULL            -- [[item, value], ...] as core/survey/metrics.hpp describes
);
CREATE INDEX response_metrics_by_questionnaire ON response_metrics(questionnaire, completed_at);
CREATE TABLE abandoned(
  id text PRIMARY KEY,
  kiosk text NOT NULL REFERENCES kiosks(kiosk),
  questionnaire text NOT NULL,
  version integer NOT NULL,
  lang text NOT NULL,
  started_at bigint NOT NULL,
  abandoned_at bigint NOT NULL,
  last_question text NOT NULL,
  position integer NOT NULL,
  answered integer NOT NULL,
  digest text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
-- The same id arriving with other content: kept here, the first arrival is never overwritten.
CREATE TABLE conflicts(
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK(kind IN ('response', 'abandoned')),
  record_id text NOT NULL,
  kiosk text NOT NULL,
  digest text NOT NULL,
  content text NOT NULL,             -- the refused version, as an interchange line
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE(kind, record_id, kiosk, digest)
);
CREATE TABLE indicator_records(
  id bigserial PRIMARY KEY,
  indicator text NOT NULL,
  as_of text NOT NULL,
  value double precision, state text, judged integer,
  source text NOT NULL, evidence text NOT NULL,
  recorded_by text NOT NULL,
  recorded_at bigint NOT NULL
);

)sql",
    // 2: row-level security and the grants of the kiosk and reader roles. A center
    // left at version 1 takes no kiosk's rows until `central init` brings it here.
    R"sql(
-- The kiosk id of the role that logged in (NULL for anyone else). SECURITY DEFINER:
-- kiosk roles cannot read the kiosk list themselves (inside it current_user is the
-- owner, so the login role is session_user).
CREATE FUNCTION ecokiosk_my_kiosk() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT kiosk FROM public.kiosks WHERE role = session_user $$;
REVOKE ALL ON FUNCTION ecokiosk_my_kiosk() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ecokiosk_my_kiosk() TO {kiosks};

ALTER TABLE responses ENABLE ROW LEVEL SECURITY;
ALTER TABLE answers ENABLE ROW LEVEL SECURITY;
ALTER TABLE response_metrics ENABLE ROW LEVEL SECURITY;
ALTER TABLE abandoned ENABLE ROW LEVEL SECURITY;
ALTER TABLE conflicts ENABLE ROW LEVEL SECURITY;
-- (SELECT f()) is evaluated once per statement, not once per row.
CREATE POLICY kiosk_inserts_own ON responses FOR INSERT TO {kiosks}
  WITH CHECK (kiosk = (SELECT ecokiosk_my_kiosk()));
CREATE POLICY kiosk_sees_own ON responses FOR SELECT TO {kiosks}
  USING (kiosk = (SELECT ecokiosk_my_kiosk()));
CREATE POLICY kiosk_inserts_own ON abandoned FOR INSERT TO {kiosks}
  WITH CHECK (kiosk = (SELECT ecokiosk_my_kiosk()));
CREATE POLICY kiosk_sees_own ON abandoned FOR SELECT TO {kiosks}
  USING (kiosk = (SELECT ecokiosk_my_kiosk()));
-- Answer atoms and metrics (tens per response) go in through one function per batch:
-- it checks once that every response named is this kiosk's, instead of a policy
-- check per row, and kiosk roles get no INSERT on those tables at all.
CREATE FUNCTION ecokiosk_add_answers(atoms jsonb, metrics jsonb) RETURNS void LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  me text := public.ecokiosk_my_kiosk();
BEGIN
  IF me IS NULL THEN
    RAISE EXCEPTION 'only a kiosk role adds answers' USING ERRCODE = '42501';
  END IF;
  IF EXISTS (SELECT 1 FROM (SELECT x.response FROM jsonb_to_recordset(atoms) AS x(response text)
                            UNION SELECT m.response FROM jsonb_to_recordset(metrics) AS m(response text)) ids
             LEFT JOIN public.responses r ON r.id = ids.response
             WHERE r.kiosk IS DISTINCT FROM me) THEN
    RAISE EXCEPTION 'answers for a response that is not this kiosk''s' USING ERRCODE = '42501';
  END IF;
  INSERT INTO public.answers(response, ord, question, kind, item, value, text)
    SELECT * FROM jsonb_to_recordset(atoms) AS x(response text, ord int, question text, kind int, item text,
                                                 value bigint, text text);
  INSERT INTO public.response_metrics(response, method, questionnaire, version, kiosk, completed_at, duration_s,
      visible, age, gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes)
    SELECT response, method, questionnaire, version, me, completed_at, duration_s, visible, age, gender, township,
           score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes
    FROM jsonb_to_recordset(metrics) AS x(response text, method int, questionnaire text, version int,
      completed_at bigint, duration_s float8, visible int, age text, gender text, township text, score float8,
      correct int, drawn int, satisfied int, trips int, green int, flags int, fingerprint bigint, outcomes jsonb);
END $$;
REVOKE ALL ON FUNCTION ecokiosk_add_answers(jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ecokiosk_add_answers(jsonb, jsonb) TO {kiosks};
CREATE POLICY kiosk_inserts_own ON conflicts FOR INSERT TO {kiosks}
  WITH CHECK (kiosk = (SELECT ecokiosk_my_kiosk()));
-- Readers (district reports) see everything; RLS lets them through.
CREATE POLICY readers_see_all ON responses FOR SELECT TO {readers} USING (true);
CREATE POLICY readers_see_all ON answers FOR SELECT TO {readers} USING (true);
CREATE POLICY readers_see_all ON response_metrics FOR SELECT TO {readers} USING (true);
CREATE POLICY readers_see_all ON abandoned FOR SELECT TO {readers} USING (true);
CREATE POLICY readers_see_all ON conflicts FOR SELECT TO {readers} USING (true);

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
GRANT INSERT ON responses, abandoned, conflicts, questionnaire_definitions TO {kiosks};
GRANT SELECT (id, kiosk, digest) ON responses TO {kiosks};
GRANT SELECT (id, kiosk, digest) ON abandoned TO {kiosks};
GRANT USAGE ON SEQUENCE conflicts_id_seq TO {kiosks};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {readers};
)sql",
    // 3: a row number per response in arrival order, on the responses and their metrics,
    // for the district-wide queries (central_queries.hpp): the analysis code streams
    // responses "in saved order" by a number and leaves some out by it, as on a kiosk.
    // An identity column needs no grant on its sequence: kiosks insert as before.
    R"sql(
ALTER TABLE responses ADD COLUMN rid bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX responses_by_rid ON responses(rid);
ALTER TABLE response_metrics ADD COLUMN rid bigint;
UPDATE response_metrics m SET rid = r.rid FROM responses r WHERE r.id = m.response;
CREATE INDEX response_metrics_by_rid ON response_metrics(rid);
CREATE INDEX response_metrics_by_kiosk ON response_metrics(kiosk, fingerprint);
-- As version 2's, and the metrics take their response's row number.
CREATE OR REPLACE FUNCTION ecokiosk_add_answers(atoms jsonb, metrics jsonb) RETURNS void LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  me text := public.ecokiosk_my_kiosk();
BEGIN
  IF me IS NULL THEN
    RAISE EXCEPTION 'only a kiosk role adds answers' USING ERRCODE = '42501';
  END IF;
  IF EXISTS (SELECT 1 FROM (SELECT x.response FROM jsonb_to_recordset(atoms) AS x(response text)
                            UNION SELECT m.response FROM jsonb_to_recordset(metrics) AS m(response text)) ids
             LEFT JOIN public.responses r ON r.id = ids.response
             WHERE r.kiosk IS DISTINCT FROM me) THEN
    RAISE EXCEPTION 'answers for a response that is not this kiosk''s' USING ERRCODE = '42501';
  END IF;
  INSERT INTO public.answers(response, ord, question, kind, item, value, text)
    SELECT * FROM jsonb_to_recordset(atoms) AS x(response text, ord int, question text, kind int, item text,
                                                 value bigint, text text);
  INSERT INTO public.response_metrics(response, rid, method, questionnaire, version, kiosk, completed_at, duration_s,
      visible, age, gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes)
    SELECT x.response, r.rid, method, x.questionnaire, x.version, me, x.completed_at, x.duration_s, visible, age,
           gender, township, score, correct, x.drawn, satisfied, trips, green, flags, fingerprint, outcomes
    FROM jsonb_to_recordset(metrics) AS x(response text, method int, questionnaire text, version int,
      completed_at bigint, duration_s float8, visible int, age text, gender text, township text, score float8,
      correct int, drawn int, satisfied int, trips int, green int, flags int, fingerprint bigint, outcomes jsonb)
    JOIN public.responses r ON r.id = x.response;
END $$;
)sql",
    // 4: a batch's answer atoms and metrics arrive by COPY into two staging tables of
    // the session (parsing one JSON document of 20,000 atoms cost more than the rest of
    // the batch). ecokiosk_stage() makes them, owned by the schema's owner, ON COMMIT
    // DELETE ROWS, insertable by the kiosk that asked; ecokiosk_add_staged() checks
    // that they are those tables (not something the kiosk put in their place), that
    // every response named is this kiosk's, and moves the rows in.
    R"sql(
CREATE FUNCTION ecokiosk_stage() RETURNS void LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF public.ecokiosk_my_kiosk() IS NULL THEN
    RAISE EXCEPTION 'only a kiosk role stages answers' USING ERRCODE = '42501';
  END IF;
  IF to_regclass('pg_temp.ecokiosk_stage_answers') IS NULL THEN
    CREATE TEMP TABLE ecokiosk_stage_answers(response text, ord int, question text, kind int, item text,
      value bigint, text text) ON COMMIT DELETE ROWS;
    EXECUTE format('GRANT INSERT ON pg_temp.ecokiosk_stage_answers TO %I', session_user);
  END IF;
  IF to_regclass('pg_temp.ecokiosk_stage_metrics') IS NULL THEN
    CREATE TEMP TABLE ecokiosk_stage_metrics(response text, method int, questionnaire text, version int,
      completed_at bigint, duration_s float8, visible int, age text, gender text, township text, score float8,
      correct int, drawn int, satisfied int, trips int, green int, flags int, fingerprint bigint, outcomes jsonb)
      ON COMMIT DELETE ROWS;
    EXECUTE format('GRANT INSERT ON pg_temp.ecokiosk_stage_metrics TO %I', session_user);
  END IF;
END $$;
REVOKE ALL ON FUNCTION ecokiosk_stage() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ecokiosk_stage() TO {kiosks};
CREATE FUNCTION ecokiosk_add_staged() RETURNS void LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  me text := public.ecokiosk_my_kiosk();
BEGIN
  IF me IS NULL THEN
    RAISE EXCEPTION 'only a kiosk role adds answers' USING ERRCODE = '42501';
  END IF;
  IF (SELECT count(*) FROM pg_class c
      WHERE c.oid IN (to_regclass('pg_temp.ecokiosk_stage_answers'), to_regclass('pg_temp.ecokiosk_stage_metrics'))
        AND c.relkind = 'r' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)) <> 2 THEN
    RAISE EXCEPTION 'the staging tables are not this function''s' USING ERRCODE = '42501';
  END IF;
  IF EXISTS (SELECT 1 FROM (SELECT response FROM pg_temp.ecokiosk_stage_answers
                            UNION SELECT response FROM pg_temp.ecokiosk_stage_metrics) ids
             LEFT JOIN public.responses r ON r.id = ids.response
             WHERE r.kiosk IS DISTINCT FROM me) THEN
    RAISE EXCEPTION 'answers for a response that is not this kiosk''s' USING ERRCODE = '42501';
  END IF;
  INSERT INTO public.answers(response, ord, question, kind, item, value, text)
    SELECT response, ord, question, kind, item, value, text FROM pg_temp.ecokiosk_stage_answers;
  INSERT INTO public.response_metrics(response, rid, method, questionnaire, version, kiosk, completed_at, duration_s,
      visible, age, gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes)
    SELECT s.response, r.rid, s.method, s.questionnaire, s.version, me, s.completed_at, s.duration_s, s.visible, s.age,
           s.gender, s.township, s.score, s.correct, s.drawn, s.satisfied, s.trips, s.green, s.flags, s.fingerprint,
           s.outcomes
    FROM pg_temp.ecokiosk_stage_metrics s JOIN public.responses r ON r.id = s.response;
  DELETE FROM pg_temp.ecokiosk_stage_answers;
  DELETE FROM pg_temp.ecokiosk_stage_metrics;
END $$;
REVOKE ALL ON FUNCTION ecokiosk_add_staged() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ecokiosk_add_staged() TO {kiosks};
)sql",
};
constexpr int kMigrationCount = sizeof kCentralMigrations / sizeof kCentralMigrations[0];
static_assert(kMigrationCount == kCentralSchemaVersion);

void ensure_role(Conn& c, const std::string& role) {
  // Roles are cluster-wide and CREATE ROLE has no IF NOT EXISTS: two inits at once
  // may both try, and the loser's duplicate is fine.
  c.run("DO $$ BEGIN CREATE ROLE " + c.ident(role) +
        " NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$");
}

}  // namespace

std::string SchemaState::words() const {
  switch (status) {
    case Status::ok: return "schema version " + std::to_string(version) + " (current)";
    case Status::schema_older:
      return "schema version " + std::to_string(version) + ", older than this program's " +
             std::to_string(kCentralSchemaVersion) + ": run `ecokiosk central init` to migrate it";
    case Status::schema_newer:
      return "schema version " + std::to_string(version) + ", newer than this program's " +
             std::to_string(kCentralSchemaVersion) + ": update EcoKiosk";
    case Status::not_initialised: return "no EcoKiosk schema: run `ecokiosk central init`";
    default: return status_words(status);
  }
}

SchemaState check_schema(Conn& c) {
  SchemaState s;
  if (c.scalar("SELECT to_regclass('public.ecokiosk_schema') IS NOT NULL") != "t") {
    s.status = Status::not_initialised;
    return s;
  }
  s.version = std::stoi("0" + c.scalar("SELECT max(version) FROM ecokiosk_schema"));
  if (s.version == 0) s.status = Status::not_initialised;
  else if (s.version < kCentralSchemaVersion) s.status = Status::schema_older;
  else if (s.version > kCentralSchemaVersion) s.status = Status::schema_newer;
  return s;
}

std::string kiosk_group_role(Conn& c) { return "ecokiosk_kiosks_" + short_hash(c.scalar("SELECT current_database()"), 6); }
std::string reader_role(Conn& c) { return "ecokiosk_readers_" + short_hash(c.scalar("SELECT current_database()"), 6); }
std::string kiosk_role(Conn& c, const std::string& kiosk_id) {
  // Kiosk ids are free UTF-8 text: the role name is derived, and kiosks records it.
  return "ecokiosk_k_" + short_hash(c.scalar("SELECT current_database()") + '\x1f' + kiosk_id, 12);
}

InitReport init_schema(Conn& admin, int target) {
  InitReport rep;
  std::string kiosks = kiosk_group_role(admin), readers = reader_role(admin);
  ensure_role(admin, kiosks);
  ensure_role(admin, readers);
  Txn t(admin);
  // Two inits at once: the second waits here, then finds the work done.
  admin.run("SELECT pg_advisory_xact_lock(7212016)");
  admin.run("CREATE TABLE IF NOT EXISTS ecokiosk_schema(version integer NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())");
  admin.run("REVOKE ALL ON ecokiosk_schema FROM PUBLIC");
  admin.run("GRANT SELECT ON ecokiosk_schema TO " + admin.ident(kiosks) + ", " + admin.ident(readers));
  SchemaState s = check_schema(admin);
  rep.from = rep.to = s.version;
  if (s.status == Status::schema_newer) throw PgError(Status::schema_newer, "the center has " + s.words());
  for (int v = s.version; v < target && v < kCentralSchemaVersion; ++v) {
    std::string sql = replace_all(replace_all(kCentralMigrations[v], "{kiosks}", admin.ident(kiosks)), "{readers}",
                                  admin.ident(readers));
    admin.run(sql);
    admin.run("INSERT INTO ecokiosk_schema(version) VALUES($1)", {std::to_string(v + 1)});
    rep.to = v + 1;
  }
  // Only the district's own roles may connect to the center's database.
  std::string db = admin.ident(admin.scalar("SELECT current_database()"));
  admin.run("REVOKE CONNECT ON DATABASE " + db + " FROM PUBLIC");
  admin.run("GRANT CONNECT ON DATABASE " + db + " TO " + admin.ident(kiosks) + ", " + admin.ident(readers));
  t.commit();
  return rep;
}

KioskCredentials add_kiosk(Conn& admin, const std::string& kiosk_id, const std::string& hall_zh,
                           const std::string& hall_en) {
  SchemaState s = check_schema(admin);
  // An older center may get kiosks (they sync once `central init` has migrated it).
  if (s.status != Status::ok && s.status != Status::schema_older)
    throw PgError(s.status, "the center has " + s.words());
  if (sodium_init() < 0) throw PgError(Status::server, "libsodium could not start");
  KioskCredentials cr;
  cr.user = kiosk_role(admin, kiosk_id);
  unsigned char raw[24];
  randombytes_buf(raw, sizeof raw);
  cr.password = hex(raw, sizeof raw);
  std::string verifier = admin.scram_verifier(cr.password, cr.user);
  Txn t(admin);
  admin.run("SELECT pg_advisory_xact_lock(7212016)");
  std::string role = admin.ident(cr.user);
  bool exists = admin.scalar("SELECT 1 FROM pg_roles WHERE rolname = $1", {cr.user}) == "1";
  // No inheritance of anything but the kiosk group; cannot create roles, databases, or log in twice as much.
  if (!exists) admin.run("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION");
  admin.run("ALTER ROLE " + role + " PASSWORD " + admin.literal(verifier));
  admin.run("GRANT " + admin.ident(kiosk_group_role(admin)) + " TO " + role);
  admin.run("INSERT INTO kiosks(kiosk, role, hall_zh, hall_en) VALUES($1, $2, $3, $4) "
            "ON CONFLICT (kiosk) DO UPDATE SET hall_zh = excluded.hall_zh, hall_en = excluded.hall_en",
            {kiosk_id, cr.user, hall_zh, hall_en});
  t.commit();
  return cr;
}

}  // namespace eco::central
