// The center's migration that counts the cells with less work per batch (issue 16's sync
// figure), kept in a file of its own: schema.cpp appends it to kCentralMigrations.
#include "core/central/schema_parts.hpp"

namespace eco::central {

// What a batch of 1,000 responses cost the center under schema 10 (backend CPU, measured
// statement by statement on a copy of a synced center): its metrics rows 9 ms, and the
// cells trigger on them 43 ms, the largest single part of a batch. Of the trigger, about
// half was the upsert into metrics_cells through its unique index on all 17 key columns
// (mostly NULL, so each comparison walks the index tuple column by column), the rest
// grouping the rows and sorting them on those 17 columns for the lock order.
// - A cell is keyed by one value, k: the SHA-256 of its 17 key columns written out in
//   one fixed way (ecokiosk_cell_key; g is the grouping, a reserved word): each value
//   quoted or NULL, a float by its exact bytes, the text's bytes with backslashes doubled
//   for decode(), all immutable, so the planner inlines it and no session setting
//   changes it; -0 and 0 are one score, as they were one in the old index, and so is
//   every NaN). The 17-column index goes; a unique index on k takes its
//   place, and the upsert sorts by k, so kiosks still take the cells' row locks in one
//   order. Readers never used that index (they group the whole table).
// - The rows are grouped once per grouping, on only the columns that grouping keeps.
// - After rows are deleted or updated, only the cells this statement counted down to 0
//   are swept (by k), not the whole table (a sequential scan: it grew with the center).
// Existing cells get their k; their counts are kept as they are.
extern const char* const kCellsByKeyMigration = R"sql(
CREATE FUNCTION ecokiosk_cell_key(g smallint, questionnaire text, version integer, township text, age text,
    gender text, kiosk text, day bigint, fast boolean, flags integer, score double precision, drawn integer,
    satisfied integer, trips integer, green integer, item text, value integer) RETURNS bytea
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT sha256(decode(replace(
    quote_nullable(g::text) || ',' || quote_nullable(questionnaire) || ',' || quote_nullable(version::text)
    || ',' || quote_nullable(township) || ',' || quote_nullable(age) || ',' || quote_nullable(gender)
    || ',' || quote_nullable(kiosk) || ',' || quote_nullable(day::text) || ',' || quote_nullable(fast::text)
    || ',' || quote_nullable(flags::text) || ',' || quote_nullable(encode(float8send(
         CASE WHEN score = 0 THEN 0::float8 WHEN score = 'NaN'::float8 THEN 'NaN'::float8 ELSE score END), 'hex'))
    || ',' || quote_nullable(drawn::text) || ',' || quote_nullable(satisfied::text) || ',' || quote_nullable(trips::text)
    || ',' || quote_nullable(green::text) || ',' || quote_nullable(item) || ',' || quote_nullable(value::text),
    E'\\', E'\\\\'), 'escape'))
$f$;
REVOKE ALL ON FUNCTION ecokiosk_cell_key(smallint, text, integer, text, text, text, text, bigint, boolean, integer,
  double precision, integer, integer, integer, integer, text, integer) FROM PUBLIC;
ALTER TABLE metrics_cells ADD COLUMN k bytea;
UPDATE metrics_cells SET k = ecokiosk_cell_key(grouping, questionnaire, version, township, age, gender, kiosk, day,
  fast, flags, score, drawn, satisfied, trips, green, item, value);
ALTER TABLE metrics_cells ALTER COLUMN k SET NOT NULL;
CREATE UNIQUE INDEX metrics_cells_by_k ON metrics_cells(k);
DROP INDEX metrics_cells_key;
CREATE OR REPLACE FUNCTION ecokiosk_cells_sql(source text) RETURNS text LANGUAGE sql IMMUTABLE
  SET search_path = pg_catalog, pg_temp AS $f$ SELECT format($q$
WITH clock AS (SELECT min_seconds AS ms, utc_offset_minutes::bigint * 60000 AS off FROM public.metrics_cell_clock),
rows AS MATERIALIZED (
  SELECT s.questionnaire, s.version, s.township, s.age, s.gender, s.kiosk, s.flags, s.score, s.drawn, s.satisfied,
         s.trips, s.green, s.outcomes, s.sign, (clock.ms > 0 AND s.duration_s < s.visible * clock.ms) AS fast,
         ((s.completed_at + clock.off - CASE WHEN s.completed_at + clock.off < 0 THEN 86399999 ELSE 0 END)
          / 86400000) AS d
  FROM %s s CROSS JOIN clock),
counted AS (
  SELECT 0::smallint AS grouping, questionnaire, version, township, age, gender, NULL::text AS kiosk, NULL::bigint AS day,
         fast, flags, score, drawn, satisfied, trips, green, NULL::text AS item, NULL::int AS value, sum(sign) AS n
  FROM rows GROUP BY questionnaire, version, township, age, gender, fast, flags, score, drawn, satisfied, trips, green
  UNION ALL
  SELECT 1::smallint, questionnaire, version, NULL, age, NULL, kiosk, NULL, fast, flags, score, drawn, satisfied, trips,
         green, NULL, NULL, sum(sign)
  FROM rows GROUP BY questionnaire, version, age, kiosk, fast, flags, score, drawn, satisfied, trips, green
  UNION ALL
  SELECT 2::smallint, questionnaire, version, NULL, age, NULL, NULL, d, fast, flags, score, drawn, satisfied, trips,
         green, NULL, NULL, sum(sign)
  FROM rows GROUP BY questionnaire, version, age, d, fast, flags, score, drawn, satisfied, trips, green
  UNION ALL
  SELECT 3::smallint, questionnaire, version, NULL, age, NULL, NULL, NULL, fast, flags, NULL, NULL, NULL, NULL, NULL,
         item, value, sum(sign)
  FROM (SELECT r.questionnaire, r.version, r.age, r.fast, r.flags, o.e->>0 AS item, ((o.e->>1)::int) & 255 AS value,
               r.sign
        FROM rows r CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.outcomes) = 'array'
                                                                 THEN r.outcomes ELSE '[]'::jsonb END) o(e)
        WHERE jsonb_typeof(o.e->0) = 'string') x
  GROUP BY questionnaire, version, age, fast, flags, item, value)
INSERT INTO public.metrics_cells AS c(grouping, questionnaire, version, township, age, gender, kiosk, day, fast,
                                      flags, score, drawn, satisfied, trips, green, item, value, n, k)
SELECT t.*, public.ecokiosk_cell_key(t.grouping, t.questionnaire, t.version, t.township, t.age, t.gender, t.kiosk, t.day,
         t.fast, t.flags, t.score, t.drawn, t.satisfied, t.trips, t.green, t.item, t.value) AS k
FROM counted t
WHERE t.n <> 0
ORDER BY k
ON CONFLICT (k) DO UPDATE SET n = c.n + excluded.n
$q$, source) $f$;
CREATE OR REPLACE FUNCTION ecokiosk_count_cells() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
  counted record;
  emptied bytea[] := '{}';
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE public.ecokiosk_cells_sql('(SELECT f.*, 1 AS sign FROM fresh f)');
    RETURN NULL;  -- only +1s: no cell reaches 0
  END IF;
  FOR counted IN EXECUTE public.ecokiosk_cells_sql(CASE WHEN TG_OP = 'DELETE'
      THEN '(SELECT o.*, -1 AS sign FROM gone o)'
      ELSE '(SELECT f.*, 1 AS sign FROM fresh f UNION ALL SELECT o.*, -1 FROM gone o)' END) || ' RETURNING c.k, c.n'
  LOOP
    IF counted.n = 0 THEN
      emptied := emptied || counted.k;
    END IF;
  END LOOP;
  IF cardinality(emptied) > 10000 THEN
    DELETE FROM public.metrics_cells WHERE n = 0;  -- most of the table: one pass is cheaper than a lookup each
  ELSE
    DELETE FROM public.metrics_cells WHERE k = ANY(emptied) AND n = 0;
  END IF;
  RETURN NULL;
END $$;
)sql";

}  // namespace eco::central
