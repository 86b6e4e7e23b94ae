// The center's migration that keys answer atoms by their response's arrival number
// (issue 16's sync figure), kept in a file of its own: schema.cpp appends it to
// kCentralMigrations.
#include "core/central/schema_parts.hpp"

namespace eco::central {

// The largest cost of a batch left after schema 9 was the answers' primary key on
// (response, ord): the response is a random UUID, so each batch's tens of thousands of
// atoms land all over the index (200,000 atoms: 0.31 s into the bare table, 1.3-2.1 s
// with that key, 0.76 s with one on the arrival number). responses.rid (schema 3) only
// grows, so a key on (rid, ord) takes a batch at its right edge.
// - answers gain rid, filled from their responses; the unique key moves to (rid, ord).
//   The response's UUID stays in every row (readers and exports may still name it), it
//   is only no longer indexed. An atom whose response is gone (deleted by hand) keeps a
//   NULL rid, as it was: no reader joins it to a response either way.
// - Kiosks still stage (response, ord, ...) as in schema 4; the center looks up each
//   response named once (the same lookup that checks it is this kiosk's) and writes
//   the atoms and metrics with its rid. A kiosk cannot choose a rid.
// - The responses themselves may also be staged (ecokiosk_stage_responses, COPY): the
//   kiosk inserts from it under its own row-level security, as from the JSON before.
// - ecokiosk_add_answers (schema 2, no longer used by the sync) fills rid too.
extern const char* const kAnswersByRidMigration = R"sql(
ALTER TABLE answers ADD COLUMN rid bigint;
UPDATE answers a SET rid = r.rid FROM responses r WHERE r.id = a.response;
ALTER TABLE answers DROP CONSTRAINT answers_pkey;
CREATE UNIQUE INDEX answers_by_rid ON answers(rid, ord);
CREATE OR REPLACE FUNCTION ecokiosk_stage() RETURNS void LANGUAGE plpgsql
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
  IF to_regclass('pg_temp.ecokiosk_stage_responses') IS NULL THEN
    CREATE TEMP TABLE ecokiosk_stage_responses(id text, kiosk text, questionnaire text, version int,
      content_hash text, lang text, started_at bigint, completed_at bigint, duration_s float8,
      visible_questions int, drawn text, digest text) ON COMMIT DELETE ROWS;
    EXECUTE format('GRANT INSERT, SELECT ON pg_temp.ecokiosk_stage_responses TO %I', session_user);
  END IF;
  -- The responses a batch's atoms and metrics name, once each (the kiosk gets no grant).
  IF to_regclass('pg_temp.ecokiosk_staged_ids') IS NULL THEN
    CREATE TEMP TABLE ecokiosk_staged_ids(id text, rid bigint, kiosk text) ON COMMIT DELETE ROWS;
  END IF;
END $$;
CREATE OR REPLACE FUNCTION ecokiosk_add_staged() RETURNS void LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  me text := public.ecokiosk_my_kiosk();
BEGIN
  IF me IS NULL THEN
    RAISE EXCEPTION 'only a kiosk role adds answers' USING ERRCODE = '42501';
  END IF;
  IF (SELECT count(*) FROM pg_class c
      WHERE c.oid IN (to_regclass('pg_temp.ecokiosk_stage_answers'), to_regclass('pg_temp.ecokiosk_stage_metrics'),
                      to_regclass('pg_temp.ecokiosk_staged_ids'))
        AND c.relkind = 'r' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)) <> 3 THEN
    RAISE EXCEPTION 'the staging tables are not this function''s' USING ERRCODE = '42501';
  END IF;
  -- Each response named, once: whose it is, and its arrival number.
  TRUNCATE pg_temp.ecokiosk_staged_ids;
  INSERT INTO pg_temp.ecokiosk_staged_ids
    SELECT ids.response, r.rid, r.kiosk
    FROM (SELECT response FROM pg_temp.ecokiosk_stage_answers
          UNION SELECT response FROM pg_temp.ecokiosk_stage_metrics) ids
    LEFT JOIN public.responses r ON r.id = ids.response;
  IF EXISTS (SELECT 1 FROM pg_temp.ecokiosk_staged_ids WHERE kiosk IS DISTINCT FROM me) THEN
    RAISE EXCEPTION 'answers for a response that is not this kiosk''s' USING ERRCODE = '42501';
  END IF;
  INSERT INTO public.answers(rid, response, ord, question, kind, item, value, text)
    SELECT i.rid, s.response, s.ord, s.question, s.kind, s.item, s.value, s.text
    FROM pg_temp.ecokiosk_stage_answers s JOIN pg_temp.ecokiosk_staged_ids i ON i.id = s.response;
  INSERT INTO public.response_metrics(response, rid, method, questionnaire, version, kiosk, completed_at, duration_s,
      visible, age, gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes)
    SELECT s.response, i.rid, s.method, s.questionnaire, s.version, me, s.completed_at, s.duration_s, s.visible, s.age,
           s.gender, s.township, s.score, s.correct, s.drawn, s.satisfied, s.trips, s.green, s.flags, s.fingerprint,
           s.outcomes
    FROM pg_temp.ecokiosk_stage_metrics s JOIN pg_temp.ecokiosk_staged_ids i ON i.id = s.response;
  TRUNCATE pg_temp.ecokiosk_stage_answers, pg_temp.ecokiosk_stage_metrics, pg_temp.ecokiosk_staged_ids;
END $$;
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
  INSERT INTO public.answers(rid, response, ord, question, kind, item, value, text)
    SELECT r.rid, x.response, x.ord, x.question, x.kind, x.item, x.value, x.text
    FROM jsonb_to_recordset(atoms) AS x(response text, ord int, question text, kind int, item text,
                                        value bigint, text text)
    JOIN public.responses r ON r.id = x.response;
  INSERT INTO public.response_metrics(response, rid, method, questionnaire, version, kiosk, completed_at, duration_s,
      visible, age, gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes)
    SELECT x.response, r.rid, method, x.questionnaire, x.version, me, x.completed_at, x.duration_s, visible, age,
           gender, township, score, correct, x.drawn, satisfied, trips, green, flags, fingerprint, outcomes
    FROM jsonb_to_recordset(metrics) AS x(response text, method int, questionnaire text, version int,
      completed_at bigint, duration_s float8, visible int, age text, gender text, township text, score float8,
      correct int, drawn int, satisfied int, trips int, green int, flags int, fingerprint bigint, outcomes jsonb)
    JOIN public.responses r ON r.id = x.response;
END $$;
)sql";

}  // namespace eco::central
