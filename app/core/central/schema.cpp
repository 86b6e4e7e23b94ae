#include "core/central/schema.hpp"
#include "core/central/schema_parts.hpp"

#include <sodium.h>

#include <vector>

#include "core/central/migration_alerts.hpp"

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

// 6: counted cells (issue 16: district indicators over a million responses in under a
// second). Respondents the indicators cannot tell apart are counted as their metrics
// arrive, in the same statement (a trigger with transition tables on response_metrics),
// so a batch that rolls back leaves no count behind and one re-sent adds nothing (its
// metrics rows are not inserted twice). The four groupings are those of
// core/storage/response_queries.hpp (MetricsCell); "fast" and "day" are counted on the
// clock and threshold in metrics_cell_clock, and a query on another one (or with a
// date or kiosk filter, which the cells do not carry) reads the rows instead.
const char* const kMetricsCellsMigration = R"sql(
CREATE TABLE metrics_cell_clock(
  one boolean PRIMARY KEY DEFAULT true CHECK(one),
  min_seconds double precision NOT NULL,  -- "fast": duration_s < visible * min_seconds
  utc_offset_minutes integer NOT NULL     -- "day": days since 1970-01-01 on this clock
);
INSERT INTO metrics_cell_clock VALUES(true, 2.0, 480);
CREATE TABLE metrics_cells(
  grouping smallint NOT NULL,        -- CellGrouping: 0 demographic, 1 kiosk, 2 day, 3 item
  questionnaire text NOT NULL,
  version integer NOT NULL,
  township text, age text, gender text, kiosk text,
  day bigint,
  fast boolean NOT NULL,
  flags integer NOT NULL,
  score double precision, drawn integer, satisfied integer, trips integer, green integer,
  item text, value integer,
  n bigint NOT NULL
);
CREATE UNIQUE INDEX metrics_cells_key ON metrics_cells(grouping, questionnaire, version, township, age, gender,
  kiosk, day, fast, flags, score, drawn, satisfied, trips, green, item, value) NULLS NOT DISTINCT;
-- The upsert that adds the rows of `source` (response_metrics' columns and a sign,
-- +1 or -1) to the cells, in key order so that kiosks committing at once take the
-- cells' row locks in the same order (no deadlock).
CREATE FUNCTION ecokiosk_cells_sql(source text) RETURNS text LANGUAGE sql IMMUTABLE
  SET search_path = pg_catalog, pg_temp AS $f$ SELECT format($q$
WITH clock AS (SELECT min_seconds AS ms, utc_offset_minutes::bigint * 60000 AS off FROM public.metrics_cell_clock),
rows AS (SELECT s.*, (clock.ms > 0 AND s.duration_s < s.visible * clock.ms) AS fast,
                ((s.completed_at + clock.off - CASE WHEN s.completed_at + clock.off < 0 THEN 86399999 ELSE 0 END)
                 / 86400000) AS d
         FROM %s s CROSS JOIN clock),
counted AS (
  SELECT g.g::smallint AS grouping, r.questionnaire, r.version,
         CASE WHEN g.g = 0 THEN r.township END AS township, r.age, CASE WHEN g.g = 0 THEN r.gender END AS gender,
         CASE WHEN g.g = 1 THEN r.kiosk END AS kiosk, CASE WHEN g.g = 2 THEN r.d END AS day, r.fast, r.flags,
         r.score, r.drawn, r.satisfied, r.trips, r.green, NULL::text AS item, NULL::int AS value, r.sign
  FROM rows r CROSS JOIN (VALUES (0), (1), (2)) g(g)
  UNION ALL
  SELECT 3::smallint, r.questionnaire, r.version, NULL, r.age, NULL, NULL, NULL, r.fast, r.flags,
         NULL, NULL, NULL, NULL, NULL, o.e->>0, ((o.e->>1)::int) & 255, r.sign
  FROM rows r CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.outcomes) = 'array'
                                                           THEN r.outcomes ELSE '[]'::jsonb END) o(e)
  WHERE jsonb_typeof(o.e->0) = 'string')
INSERT INTO public.metrics_cells AS c(grouping, questionnaire, version, township, age, gender, kiosk, day, fast,
                                      flags, score, drawn, satisfied, trips, green, item, value, n)
SELECT grouping, questionnaire, version, township, age, gender, kiosk, day, fast, flags, score, drawn, satisfied,
       trips, green, item, value, sum(sign)
FROM counted
GROUP BY grouping, questionnaire, version, township, age, gender, kiosk, day, fast, flags, score, drawn, satisfied,
         trips, green, item, value
HAVING sum(sign) <> 0
ORDER BY grouping, questionnaire, version, township, age, gender, kiosk, day, fast, flags, score, drawn, satisfied,
         trips, green, item, value
ON CONFLICT (grouping, questionnaire, version, township, age, gender, kiosk, day, fast, flags, score, drawn,
             satisfied, trips, green, item, value)
DO UPDATE SET n = c.n + excluded.n
$q$, source) $f$;
REVOKE ALL ON FUNCTION ecokiosk_cells_sql(text) FROM PUBLIC;
-- Every change to response_metrics (a kiosk's batch, metrics filled in at the center,
-- rows deleted or updated by hand) changes the cells in the same statement.
CREATE FUNCTION ecokiosk_count_cells() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE public.ecokiosk_cells_sql('(SELECT f.*, 1 AS sign FROM fresh f)');
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE public.ecokiosk_cells_sql('(SELECT o.*, -1 AS sign FROM gone o)');
  ELSE
    EXECUTE public.ecokiosk_cells_sql('(SELECT f.*, 1 AS sign FROM fresh f UNION ALL SELECT o.*, -1 FROM gone o)');
  END IF;
  DELETE FROM public.metrics_cells WHERE n = 0;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION ecokiosk_count_cells() FROM PUBLIC;
CREATE TRIGGER count_cells_insert AFTER INSERT ON response_metrics REFERENCING NEW TABLE AS fresh
  FOR EACH STATEMENT EXECUTE FUNCTION ecokiosk_count_cells();
CREATE TRIGGER count_cells_delete AFTER DELETE ON response_metrics REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION ecokiosk_count_cells();
CREATE TRIGGER count_cells_update AFTER UPDATE ON response_metrics REFERENCING OLD TABLE AS gone NEW TABLE AS fresh
  FOR EACH STATEMENT EXECUTE FUNCTION ecokiosk_count_cells();
CREATE FUNCTION ecokiosk_truncate_cells() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM public.metrics_cells;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION ecokiosk_truncate_cells() FROM PUBLIC;
CREATE TRIGGER count_cells_truncate AFTER TRUNCATE ON response_metrics
  FOR EACH STATEMENT EXECUTE FUNCTION ecokiosk_truncate_cells();
-- The metrics already at the center.
DO $$ BEGIN
  EXECUTE ecokiosk_cells_sql('(SELECT m.*, 1 AS sign FROM public.response_metrics m)');
END $$;
REVOKE ALL ON metrics_cells, metrics_cell_clock FROM PUBLIC;
GRANT SELECT ON metrics_cells, metrics_cell_clock TO {readers};
)sql";

// Each entry moves the schema up one version; never edit a shipped entry, add one.
// {kiosks}, {readers}, {departments}, {propaganda} and {admins} stand for this
// database's group roles (quoted identifiers).
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
    // 5: the district console (issue 17). Departments and their indicators and tasks
    // (from the catalog, by `central init`), personal accounts (PostgreSQL login roles
    // in three groups: {departments}, {propaganda}, {admins}), indicator records and
    // task updates typed at the center or imported from kiosks, each limited by
    // row-level security to what the account's department leads or works on; an
    // append-only, hash-chained audit written by triggers with session_user and the
    // server's clock; and each kiosk's heartbeat for the fleet page.
    R"sql(
CREATE TABLE departments(name text PRIMARY KEY);
CREATE TABLE indicator_leads(
  indicator text NOT NULL,
  department text NOT NULL REFERENCES departments(name),
  PRIMARY KEY(indicator, department)
);
CREATE TABLE task_departments(
  task text NOT NULL,
  department text NOT NULL REFERENCES departments(name),
  responsible boolean NOT NULL,      -- false: cooperating
  PRIMARY KEY(task, department)
);
CREATE TABLE accounts(
  role name PRIMARY KEY,             -- the PostgreSQL login role: the name typed at sign-in
  kind text NOT NULL CHECK(kind IN ('department', 'propaganda', 'admin')),
  department text REFERENCES departments(name),
  disabled boolean NOT NULL DEFAULT false,
  added_at timestamptz NOT NULL DEFAULT now(),
  password_set_at timestamptz NOT NULL DEFAULT now(),
  CHECK(kind <> 'department' OR department IS NOT NULL)
);

-- Who the login is, for the policies (SECURITY DEFINER: staff cannot read accounts).
CREATE FUNCTION ecokiosk_my_department() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT department FROM public.accounts WHERE role = session_user AND NOT disabled $$;
CREATE FUNCTION ecokiosk_leads(ind text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT EXISTS(SELECT 1 FROM public.indicator_leads l JOIN public.accounts a ON a.department = l.department
                      WHERE a.role = session_user AND NOT a.disabled AND a.kind = 'department' AND l.indicator = ind) $$;
CREATE FUNCTION ecokiosk_works_on(t text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT EXISTS(SELECT 1 FROM public.task_departments d JOIN public.accounts a ON a.department = d.department
                      WHERE a.role = session_user AND NOT a.disabled AND a.kind = 'department' AND d.task = t) $$;
-- What the console shows after sign-in: the account's kind and department.
CREATE FUNCTION ecokiosk_my_account(OUT kind text, OUT department text) LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT a.kind, a.department FROM public.accounts a WHERE a.role = session_user AND NOT a.disabled $$;
REVOKE ALL ON FUNCTION ecokiosk_my_department(), ecokiosk_leads(text), ecokiosk_works_on(text), ecokiosk_my_account()
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ecokiosk_my_department(), ecokiosk_leads(text), ecokiosk_works_on(text), ecokiosk_my_account()
  TO {departments}, {propaganda}, {admins};

-- Records typed at the center carry the login and the server's clock; imported ones keep
-- the kiosk's author and time, and a key (a digest of their content) that makes a second
-- import of the same file a no-op.
ALTER TABLE indicator_records ADD COLUMN imported_from text, ADD COLUMN import_key text UNIQUE;
CREATE TABLE task_updates(
  id bigserial PRIMARY KEY,
  task text NOT NULL,
  status text NOT NULL CHECK(status IN ('not_started', 'in_progress', 'done', 'blocked')),
  note text NOT NULL DEFAULT '',
  recorded_by text NOT NULL,
  recorded_at bigint NOT NULL,
  imported_from text,
  import_key text UNIQUE
);
CREATE INDEX task_updates_by_task ON task_updates(task, id);
CREATE INDEX indicator_records_by_indicator ON indicator_records(indicator, as_of, id);
CREATE FUNCTION ecokiosk_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.import_key IS NULL THEN
    NEW.recorded_by := session_user;
    NEW.recorded_at := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
    NEW.imported_from := NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER indicator_records_stamp BEFORE INSERT ON indicator_records FOR EACH ROW EXECUTE FUNCTION ecokiosk_stamp();
CREATE TRIGGER task_updates_stamp BEFORE INSERT ON task_updates FOR EACH ROW EXECUTE FUNCTION ecokiosk_stamp();

ALTER TABLE indicator_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE task_updates ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff_read ON indicator_records FOR SELECT TO {departments}, {propaganda}, {admins}, {readers} USING (true);
CREATE POLICY staff_read ON task_updates FOR SELECT TO {departments}, {propaganda}, {admins}, {readers} USING (true);
CREATE POLICY department_records_its_own ON indicator_records FOR INSERT TO {departments}
  WITH CHECK (import_key IS NULL AND public.ecokiosk_leads(indicator));
CREATE POLICY department_updates_its_tasks ON task_updates FOR INSERT TO {departments}
  WITH CHECK (import_key IS NULL AND public.ecokiosk_works_on(task));
GRANT SELECT ON departments, indicator_leads, task_departments, indicator_records, task_updates
  TO {departments}, {propaganda}, {admins}, {readers};
GRANT INSERT (indicator, as_of, value, state, judged, source, evidence) ON indicator_records TO {departments};
GRANT INSERT (task, status, note) ON task_updates TO {departments};
GRANT USAGE ON SEQUENCE indicator_records_id_seq, task_updates_id_seq TO {departments};
-- The propaganda department reads every response and exports: the readers' rights.
GRANT {readers} TO {propaganda};
-- Admins manage halls (the kiosk list) and accounts (through ecokiosk_set_account).
GRANT SELECT ON kiosks, accounts TO {admins};
GRANT UPDATE (hall_zh, hall_en) ON kiosks TO {admins};
GRANT SELECT ON kiosks TO {propaganda};

-- The audit: one chain, appended only by ecokiosk_audit_append (under a lock, so the
-- chain has one order), each row's hash over the previous hash and its own fields.
CREATE TABLE audit(
  seq bigint PRIMARY KEY,            -- 1, 2, 3, ... without gaps
  at timestamptz NOT NULL,           -- the server's clock
  actor text NOT NULL,               -- session_user: the login, never a typed name
  action text NOT NULL,
  subject text NOT NULL,
  detail text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_by_actor ON audit(actor, seq);
CREATE INDEX audit_by_action ON audit(action, seq);
CREATE FUNCTION ecokiosk_audit_append(act text, subj text, det text) RETURNS void LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n bigint;
  p text;
  t timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(7212017);
  SELECT a.seq, a.hash INTO n, p FROM public.audit a ORDER BY a.seq DESC LIMIT 1;
  n := coalesce(n, 0) + 1;
  p := coalesce(p, '');
  t := date_trunc('microseconds', clock_timestamp());
  INSERT INTO public.audit(seq, at, actor, action, subject, detail, prev_hash, hash)
  VALUES (n, t, session_user, act, subj, det, p,
          encode(sha256(convert_to(concat_ws(chr(31), p, n::text,
            to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), session_user::text, act, subj, det),
            'UTF8')), 'hex'));
END $$;
REVOKE ALL ON FUNCTION ecokiosk_audit_append(text, text, text) FROM PUBLIC;
CREATE FUNCTION ecokiosk_audit_row() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r jsonb := CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
  act text;
  subj text;
BEGIN
  IF TG_TABLE_NAME = 'indicator_records' THEN
    act := CASE WHEN r->>'import_key' IS NULL THEN 'record' ELSE 'record_imported' END;
    subj := r->>'indicator';
    r := r - 'import_key';
  ELSIF TG_TABLE_NAME = 'task_updates' THEN
    act := CASE WHEN r->>'import_key' IS NULL THEN 'task' ELSE 'task_imported' END;
    subj := r->>'task';
    r := r - 'import_key';
  ELSIF TG_TABLE_NAME = 'accounts' THEN
    act := 'account_' || lower(TG_OP);
    subj := r->>'role';
  ELSE
    act := 'kiosk_' || lower(TG_OP);
    subj := r->>'kiosk';
  END IF;
  PERFORM public.ecokiosk_audit_append(act, coalesce(subj, ''), r::text);
  RETURN NULL;
END $$;
CREATE TRIGGER indicator_records_audit AFTER INSERT ON indicator_records FOR EACH ROW EXECUTE FUNCTION ecokiosk_audit_row();
CREATE TRIGGER task_updates_audit AFTER INSERT ON task_updates FOR EACH ROW EXECUTE FUNCTION ecokiosk_audit_row();
CREATE TRIGGER accounts_audit AFTER INSERT OR UPDATE OR DELETE ON accounts FOR EACH ROW EXECUTE FUNCTION ecokiosk_audit_row();
CREATE TRIGGER kiosks_audit AFTER INSERT OR UPDATE OR DELETE ON kiosks FOR EACH ROW EXECUTE FUNCTION ecokiosk_audit_row();
-- Append-only, for the owner too: changing history takes a superuser switching
-- triggers off, and `audit verify` then shows it.
CREATE FUNCTION ecokiosk_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = '42501';
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION ecokiosk_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION ecokiosk_append_only();
CREATE TRIGGER indicator_records_append_only BEFORE UPDATE OR DELETE ON indicator_records
  FOR EACH ROW EXECUTE FUNCTION ecokiosk_append_only();
CREATE TRIGGER task_updates_append_only BEFORE UPDATE OR DELETE ON task_updates
  FOR EACH ROW EXECUTE FUNCTION ecokiosk_append_only();
ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY admins_read_all ON audit FOR SELECT TO {admins} USING (true);
CREATE POLICY staff_read_own ON audit FOR SELECT TO {departments}, {propaganda} USING (actor = session_user);
GRANT SELECT ON audit TO {departments}, {propaganda}, {admins};
-- What no table change shows (a sign-in, an export): the console says so through here.
CREATE FUNCTION ecokiosk_note(act text, subj text, det text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF act NOT IN ('sign_in', 'sign_out', 'export') THEN
    RAISE EXCEPTION 'not an action a client may note: %', act USING ERRCODE = '42501';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM public.accounts WHERE role = session_user AND NOT disabled) THEN
    RAISE EXCEPTION 'only a personal account notes actions' USING ERRCODE = '42501';
  END IF;
  PERFORM public.ecokiosk_audit_append(act, left(subj, 200), left(det, 2000));
END $$;
REVOKE ALL ON FUNCTION ecokiosk_note(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ecokiosk_note(text, text, text) TO {departments}, {propaganda}, {admins};

-- Accounts: created or changed only here (by district IT, or an admin account). The
-- password arrives as a SCRAM verifier, never in clear.
CREATE FUNCTION ecokiosk_set_account(login text, account_kind text, dept text, verifier text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  grp text := CASE account_kind WHEN 'department' THEN '{departments}' WHEN 'propaganda' THEN '{propaganda}'
                                WHEN 'admin' THEN '{admins}' END;
  g text;
BEGIN
  IF grp IS NULL THEN
    RAISE EXCEPTION 'the role must be department, propaganda or admin' USING ERRCODE = '22023';
  END IF;
  IF login !~ '^[a-z][a-z0-9_.-]{1,47}$' OR login ~ '^(pg_|ecokiosk_)' THEN
    RAISE EXCEPTION 'an account name is 2 to 48 of a-z, 0-9, _ . - starting with a letter (not pg_ or ecokiosk_)'
      USING ERRCODE = '22023';
  END IF;
  IF account_kind = 'department' AND NOT EXISTS (SELECT 1 FROM public.departments WHERE name = dept) THEN
    RAISE EXCEPTION 'no department "%" in the catalog (central init loads them)', coalesce(dept, '')
      USING ERRCODE = '22023';
  END IF;
  IF verifier IS NULL OR verifier !~ '^SCRAM-SHA-256\$' THEN
    RAISE EXCEPTION 'the password must arrive as a SCRAM-SHA-256 verifier' USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login)
     AND NOT EXISTS (SELECT 1 FROM public.accounts WHERE role = login) THEN
    RAISE EXCEPTION 'a role "%" exists that is not an EcoKiosk account; choose another name', login
      USING ERRCODE = '42710';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
    EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT', login);
  END IF;
  EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', login, verifier);
  FOREACH g IN ARRAY ARRAY['{departments}', '{propaganda}', '{admins}'] LOOP
    IF g = grp THEN
      EXECUTE format('GRANT %s TO %I', g, login);
    ELSE
      EXECUTE format('REVOKE %s FROM %I', g, login);
    END IF;
  END LOOP;
  INSERT INTO public.accounts(role, kind, department) VALUES (login, account_kind,
      CASE WHEN account_kind = 'department' THEN dept END)
    ON CONFLICT (role) DO UPDATE SET kind = excluded.kind, department = excluded.department, disabled = false,
      password_set_at = now();
END $$;
-- A departed colleague: the role may no longer log in; the account and its audit stay.
CREATE FUNCTION ecokiosk_disable_account(login text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM public.accounts WHERE role = login) THEN
    RAISE EXCEPTION 'no account "%"', login USING ERRCODE = '22023';
  END IF;
  EXECUTE format('ALTER ROLE %I NOLOGIN', login);
  UPDATE public.accounts SET disabled = true WHERE role = login;
END $$;
REVOKE ALL ON FUNCTION ecokiosk_set_account(text, text, text, text), ecokiosk_disable_account(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ecokiosk_set_account(text, text, text, text), ecokiosk_disable_account(text) TO {admins};

-- The fleet: each kiosk upserts its own row at every contact (row-level security: its
-- own kiosk id only); the server stamps the time.
CREATE TABLE kiosk_status(
  kiosk text PRIMARY KEY REFERENCES kiosks(kiosk),
  app_version text NOT NULL,
  questionnaires text NOT NULL,      -- "knowledge 1, satisfaction 1": the versions it has
  waiting bigint NOT NULL,           -- responses and abandoned sessions not yet sent
  last_error text NOT NULL DEFAULT '',
  last_error_at bigint,              -- ms since epoch, the kiosk's clock
  reported_at timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION ecokiosk_stamp_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.reported_at := clock_timestamp();
  RETURN NEW;
END $$;
CREATE TRIGGER kiosk_status_stamp BEFORE INSERT OR UPDATE ON kiosk_status FOR EACH ROW EXECUTE FUNCTION ecokiosk_stamp_status();
ALTER TABLE kiosk_status ENABLE ROW LEVEL SECURITY;
CREATE POLICY kiosk_own ON kiosk_status FOR ALL TO {kiosks}
  USING (kiosk = (SELECT ecokiosk_my_kiosk())) WITH CHECK (kiosk = (SELECT ecokiosk_my_kiosk()));
CREATE POLICY staff_read ON kiosk_status FOR SELECT TO {propaganda}, {admins}, {readers} USING (true);
GRANT SELECT, INSERT, UPDATE ON kiosk_status TO {kiosks};
GRANT SELECT ON kiosk_status TO {propaganda}, {admins}, {readers};
-- The fleet page in one call (admins may not read responses, only count them here).
-- per_day: completed responses per day on the district's clock (utc_offset_min), the
-- last `days` days, oldest first.
CREATE FUNCTION ecokiosk_fleet(days int, utc_offset_min int) RETURNS TABLE(
    kiosk text, hall_zh text, hall_en text, last_contact timestamptz, silent boolean, waiting bigint,
    app_version text, questionnaires text, last_error text, last_error_at bigint, per_day bigint[], total bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  WITH today AS (
    SELECT ((now() AT TIME ZONE 'UTC') + make_interval(mins => utc_offset_min))::date AS d
  ), counts AS (
    SELECT r.kiosk, ((to_timestamp(r.completed_at / 1000.0) AT TIME ZONE 'UTC') + make_interval(mins => utc_offset_min))::date AS d,
           count(*) AS n
    FROM public.responses r, today
    WHERE r.completed_at >= (extract(epoch FROM (today.d - (days - 1))::timestamp - make_interval(mins => utc_offset_min)) * 1000)::bigint
    GROUP BY 1, 2
  ), seen AS (
    SELECT r.kiosk, max(r.received_at) AS at, count(*) AS total FROM public.responses r GROUP BY 1
  )
  SELECT k.kiosk, k.hall_zh, k.hall_en,
         greatest(s.reported_at, seen.at),
         greatest(s.reported_at, seen.at) IS NULL OR greatest(s.reported_at, seen.at) < now() - interval '1 day',
         s.waiting, s.app_version, s.questionnaires, s.last_error, s.last_error_at,
         ARRAY(SELECT coalesce((SELECT c.n FROM counts c WHERE c.kiosk = k.kiosk AND c.d = today.d - i), 0)
               FROM generate_series(days - 1, 0, -1) AS i),
         coalesce(seen.total, 0)
  FROM public.kiosks k CROSS JOIN today
  LEFT JOIN public.kiosk_status s ON s.kiosk = k.kiosk
  LEFT JOIN seen ON seen.kiosk = k.kiosk
  ORDER BY k.kiosk
$$;
REVOKE ALL ON FUNCTION ecokiosk_fleet(int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ecokiosk_fleet(int, int) TO {propaganda}, {admins}, {readers};
)sql",
    // 6: alerts that close the loop (issue 17): migration_alerts.hpp.
    kMigrationAlerts,
    // 7: questionnaires and settings published to kiosks (issue 17): schema_publish.cpp.
    kPublishMigration,
    // 8: indicator cells counted as metrics arrive (issue 16): kMetricsCellsMigration.
    kMetricsCellsMigration,
    // 9: a batch stored with less work at the center (issue 16): schema_batches.cpp.
    kBatchesMigration,
    // 10: answers keyed by (rid, ord), responses staged by COPY (issue 16): schema_rid.cpp.
    kAnswersByRidMigration,
    // 11: cells keyed by one hashed value, counted with less work (issue 16): schema_cells.cpp.
    kCellsByKeyMigration,
    // 12: a response's answer atoms in one row of arrays (issue 16): schema_answer_sets.cpp.
    kAnswerSetsMigration,
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

std::string staff_group_role(Conn& c, AccountKind k) {
  const char* part = k == AccountKind::department ? "depts" : k == AccountKind::propaganda ? "propaganda" : "admins";
  return std::string("ecokiosk_") + part + "_" + short_hash(c.scalar("SELECT current_database()"), 6);
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
  std::string depts = staff_group_role(admin, AccountKind::department),
              propaganda = staff_group_role(admin, AccountKind::propaganda),
              admins = staff_group_role(admin, AccountKind::admin);
  for (const std::string* r : {&kiosks, &readers, &depts, &propaganda, &admins}) ensure_role(admin, *r);
  Txn t(admin);
  // Two inits at once: the second waits here, then finds the work done.
  admin.run("SELECT pg_advisory_xact_lock(7212016)");
  admin.run("CREATE TABLE IF NOT EXISTS ecokiosk_schema(version integer NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())");
  admin.run("REVOKE ALL ON ecokiosk_schema FROM PUBLIC");
  admin.run("GRANT SELECT ON ecokiosk_schema TO " + admin.ident(kiosks) + ", " + admin.ident(readers) + ", " +
            admin.ident(depts) + ", " + admin.ident(propaganda) + ", " + admin.ident(admins));
  SchemaState s = check_schema(admin);
  rep.from = rep.to = s.version;
  if (s.status == Status::schema_newer) throw PgError(Status::schema_newer, "the center has " + s.words());
  for (int v = s.version; v < target && v < kCentralSchemaVersion; ++v) {
    std::string sql = kCentralMigrations[v];
    for (const auto& [from, to] : {std::pair<const char*, const std::string*>{"{kiosks}", &kiosks},
                                   {"{readers}", &readers},
                                   {"{departments}", &depts},
                                   {"{propaganda}", &propaganda},
                                   {"{admins}", &admins}})
      sql = replace_all(sql, from, admin.ident(*to));
    admin.run(sql);
    admin.run("INSERT INTO ecokiosk_schema(version) VALUES($1)", {std::to_string(v + 1)});
    rep.to = v + 1;
  }
  // Only the district's own roles may connect to the center's database.
  std::string db = admin.ident(admin.scalar("SELECT current_database()"));
  admin.run("REVOKE CONNECT ON DATABASE " + db + " FROM PUBLIC");
  admin.run("GRANT CONNECT ON DATABASE " + db + " TO " + admin.ident(kiosks) + ", " + admin.ident(readers) + ", " +
            admin.ident(depts) + ", " + admin.ident(propaganda) + ", " + admin.ident(admins));
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
