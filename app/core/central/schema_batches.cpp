// The center's migration that makes a kiosk's batch cheaper to store (issue 16's sync
// figure), kept in a file of its own: schema.cpp appends it to kCentralMigrations.
#include "core/central/schema_parts.hpp"

namespace eco::central {

// What pg_stat_statements showed per 20,000 responses (schema 8): counting the cells took
// a third of the center's time, most of it rewriting cells whose pages were full; the
// sweep of empty cells read the whole table after every batch, though a batch of new
// responses only adds to counts (a cost that grows with the center); and emptying the
// staging tables row by row was 2%.
// - Cells keep a third of each page free, so counting one rewrites it in place (a HOT
//   update: the key index is not touched; n is in no index). Pages written before this
//   migration keep their fill until rewritten.
// - The sweep of cells counted down to 0 runs only after rows were deleted or updated.
// - The staging tables are emptied by TRUNCATE. Were a kiosk to move the same staged
//   rows twice in one transaction, the primary keys of answers and response_metrics
//   refuse the second copy, as before.
extern const char* const kBatchesMigration = R"sql(
ALTER TABLE metrics_cells SET (fillfactor = 70);
CREATE OR REPLACE FUNCTION ecokiosk_count_cells() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE public.ecokiosk_cells_sql('(SELECT f.*, 1 AS sign FROM fresh f)');
    RETURN NULL;  -- only +1s: no cell reaches 0
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE public.ecokiosk_cells_sql('(SELECT o.*, -1 AS sign FROM gone o)');
  ELSE
    EXECUTE public.ecokiosk_cells_sql('(SELECT f.*, 1 AS sign FROM fresh f UNION ALL SELECT o.*, -1 FROM gone o)');
  END IF;
  DELETE FROM public.metrics_cells WHERE n = 0;
  RETURN NULL;
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
  TRUNCATE pg_temp.ecokiosk_stage_answers, pg_temp.ecokiosk_stage_metrics;
END $$;
)sql";

}  // namespace eco::central
