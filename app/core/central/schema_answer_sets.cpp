// The center's migration that stores a response's answer atoms in one row (issue 16's
// sync figure), kept in a file of its own: schema.cpp appends it to kCentralMigrations.
#include "core/central/schema_parts.hpp"

namespace eco::central {

// After schema 11 the largest part of a batch at the center was its answer atoms: about
// 18 per response, each a heap row with its WAL record and an entry in (rid, ord), first
// copied into the stage and then moved. 18,000 atoms (a batch of 1,000) took 72-112 ms
// to insert from the stage, against 8 ms for the same atoms as 1,000 rows of arrays
// (and 20 ms to COPY those 1,000 rows, against 28 ms for the 18,000 atoms).
// - answer_sets: one row per response, its atoms as parallel arrays in ord order, keyed
//   by the response's rid (unique: a second set for one response is refused, as a second
//   atom with the same (rid, ord) was). The CHECKs keep the arrays aligned and the
//   columns that were NOT NULL free of NULL elements.
// - answers becomes a view over them with the table's columns in the table's order, so
//   every reader (the district queries, exports, tests, district IT's own SQL) reads the
//   atoms as before. Readers get SELECT on it; kiosks get nothing, as before.
// - Kiosks stage a response's atoms as one row (ecokiosk_stage_answer_sets, COPY);
//   atoms staged one per row (ecokiosk_stage_answers, as up to schema 11) are still
//   taken and gathered here. ecokiosk_add_staged checks both the same way.
// - Existing atoms are gathered by response in ord order; an atom whose response was
//   deleted by hand keeps its NULL rid in a set of its own.
extern const char* const kAnswerSetsMigration = R"sql(
CREATE TABLE answer_sets(
  rid bigint,                        -- the response's arrival number (NULL: response deleted by hand)
  response text NOT NULL,
  ords integer[] NOT NULL,
  questions text[] NOT NULL,
  kinds integer[] NOT NULL,
  items text[] NOT NULL,
  vals bigint[] NOT NULL,
  texts text[] NOT NULL,
  CHECK (cardinality(questions) = cardinality(ords) AND cardinality(kinds) = cardinality(ords)
         AND cardinality(items) = cardinality(ords) AND cardinality(vals) = cardinality(ords)
         AND cardinality(texts) = cardinality(ords)),
  CHECK (array_position(ords, NULL) IS NULL AND array_position(questions, NULL) IS NULL
         AND array_position(kinds, NULL) IS NULL AND array_position(items, NULL) IS NULL)
);
INSERT INTO answer_sets(rid, response, ords, questions, kinds, items, vals, texts)
  SELECT rid, response, array_agg(ord ORDER BY ord), array_agg(question ORDER BY ord), array_agg(kind ORDER BY ord),
         array_agg(item ORDER BY ord), array_agg(value ORDER BY ord), array_agg(text ORDER BY ord)
  FROM answers GROUP BY rid, response;
CREATE UNIQUE INDEX answer_sets_by_rid ON answer_sets(rid);
DROP TABLE answers;
-- The atoms as they were: one row each, the old table's columns in its order.
CREATE VIEW answers AS
  SELECT s.response, a.ord, a.question, a.kind, a.item, a.value, a.text, s.rid
  FROM answer_sets s CROSS JOIN LATERAL unnest(s.ords, s.questions, s.kinds, s.items, s.vals, s.texts)
    AS a(ord, question, kind, item, value, text);
ALTER TABLE answer_sets ENABLE ROW LEVEL SECURITY;
CREATE POLICY readers_see_all ON answer_sets FOR SELECT TO {readers} USING (true);
REVOKE ALL ON answer_sets, answers FROM PUBLIC;
GRANT SELECT ON answer_sets, answers TO {readers};
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
  IF to_regclass('pg_temp.ecokiosk_stage_answer_sets') IS NULL THEN
    CREATE TEMP TABLE ecokiosk_stage_answer_sets(response text, ords int[], questions text[], kinds int[],
      items text[], vals bigint[], texts text[]) ON COMMIT DELETE ROWS;
    EXECUTE format('GRANT INSERT ON pg_temp.ecokiosk_stage_answer_sets TO %I', session_user);
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
                      to_regclass('pg_temp.ecokiosk_staged_ids'), to_regclass('pg_temp.ecokiosk_stage_answer_sets'))
        AND c.relkind = 'r' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)) <> 4 THEN
    RAISE EXCEPTION 'the staging tables are not this function''s' USING ERRCODE = '42501';
  END IF;
  -- Each response named, once: whose it is, and its arrival number.
  TRUNCATE pg_temp.ecokiosk_staged_ids;
  INSERT INTO pg_temp.ecokiosk_staged_ids
    SELECT ids.response, r.rid, r.kiosk
    FROM (SELECT response FROM pg_temp.ecokiosk_stage_answers
          UNION SELECT response FROM pg_temp.ecokiosk_stage_answer_sets
          UNION SELECT response FROM pg_temp.ecokiosk_stage_metrics) ids
    LEFT JOIN public.responses r ON r.id = ids.response;
  IF EXISTS (SELECT 1 FROM pg_temp.ecokiosk_staged_ids WHERE kiosk IS DISTINCT FROM me) THEN
    RAISE EXCEPTION 'answers for a response that is not this kiosk''s' USING ERRCODE = '42501';
  END IF;
  -- A response's atoms arrive in one of the two forms, never both: the set's key refuses
  -- a second set for the same response.
  INSERT INTO public.answer_sets(rid, response, ords, questions, kinds, items, vals, texts)
    SELECT i.rid, s.response, s.ords, s.questions, s.kinds, s.items, s.vals, s.texts
    FROM pg_temp.ecokiosk_stage_answer_sets s JOIN pg_temp.ecokiosk_staged_ids i ON i.id = s.response
    WHERE cardinality(s.ords) > 0;
  INSERT INTO public.answer_sets(rid, response, ords, questions, kinds, items, vals, texts)
    SELECT i.rid, s.response, array_agg(s.ord ORDER BY s.ord), array_agg(s.question ORDER BY s.ord),
           array_agg(s.kind ORDER BY s.ord), array_agg(s.item ORDER BY s.ord), array_agg(s.value ORDER BY s.ord),
           array_agg(s.text ORDER BY s.ord)
    FROM pg_temp.ecokiosk_stage_answers s JOIN pg_temp.ecokiosk_staged_ids i ON i.id = s.response
    GROUP BY i.rid, s.response;
  INSERT INTO public.response_metrics(response, rid, method, questionnaire, version, kiosk, completed_at, duration_s,
      visible, age, gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes)
    SELECT s.response, i.rid, s.method, s.questionnaire, s.version, me, s.completed_at, s.duration_s, s.visible, s.age,
           s.gender, s.township, s.score, s.correct, s.drawn, s.satisfied, s.trips, s.green, s.flags, s.fingerprint,
           s.outcomes
    FROM pg_temp.ecokiosk_stage_metrics s JOIN pg_temp.ecokiosk_staged_ids i ON i.id = s.response;
  TRUNCATE pg_temp.ecokiosk_stage_answers, pg_temp.ecokiosk_stage_answer_sets, pg_temp.ecokiosk_stage_metrics,
    pg_temp.ecokiosk_staged_ids;
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
  INSERT INTO public.answer_sets(rid, response, ords, questions, kinds, items, vals, texts)
    SELECT r.rid, x.response, array_agg(x.ord ORDER BY x.ord), array_agg(x.question ORDER BY x.ord),
           array_agg(x.kind ORDER BY x.ord), array_agg(x.item ORDER BY x.ord),
           array_agg(x.value ORDER BY x.ord), array_agg(x.text ORDER BY x.ord)
    FROM jsonb_to_recordset(atoms) AS x(response text, ord int, question text, kind int, item text,
                                        value bigint, text text)
    JOIN public.responses r ON r.id = x.response
    GROUP BY r.rid, x.response;
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
