// The center's migration for questionnaires and settings published to kiosks (issue
// 17), kept in a file of its own: schema.cpp appends it to kCentralMigrations.
#include "core/central/schema_parts.hpp"

namespace eco::central {

// Who may do what is the engine's business:
// - publish, withdraw and change settings: district admins ({admins}) and the schema's
//   owner (district IT), only through the SECURITY DEFINER functions below; nobody
//   has INSERT, UPDATE or DELETE on the tables themselves;
// - a kiosk reads the published versions that are not withdrawn (row-level security)
//   and its own settings (ecokiosk_my_settings), nothing else;
// - every publish, withdrawal, reinstatement and setting change is written to the audit
//   by a trigger, with session_user.
// The C++ loader checks a file before it is published (central publish) and again on
// each kiosk; the functions here check what the engine can: the definition is JSON
// naming the same id and version, and the hash is the SHA-256 of its bytes.
extern const char* const kPublishMigration = R"sql(
CREATE TABLE published_questionnaires(
  questionnaire text NOT NULL,
  version integer NOT NULL CHECK(version > 0),
  content_hash text NOT NULL,
  definition text NOT NULL,          -- the loader's expanded JSON, as the kiosk hashes it
  published_by text NOT NULL,
  published_at timestamptz NOT NULL,
  withdrawn_by text,
  withdrawn_at timestamptz,
  PRIMARY KEY(questionnaire, version)  -- one content per version, ever
);
-- Per-hall (the kiosks' hall_zh) and per-kiosk settings, one row per key; a kiosk's own
-- row beats its hall's. The keys and their ranges are the kiosk's configuration's
-- (core/support/config.hpp), checked by `central settings` before they arrive here.
CREATE TABLE kiosk_settings(
  scope text NOT NULL CHECK(scope IN ('hall', 'kiosk')),
  name text NOT NULL,
  key text NOT NULL CHECK(key IN ('hall_name', 'idle_seconds', 'first_question_idle_seconds',
                                  'countdown_seconds', 'finish_seconds', 'questionnaires', 'default_lang')),
  value jsonb NOT NULL,
  set_by text NOT NULL,
  set_at timestamptz NOT NULL,
  PRIMARY KEY(scope, name, key)
);

CREATE FUNCTION ecokiosk_publish(q text, v int, h text, def text) RETURNS text LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  doc jsonb;
  there record;
BEGIN
  BEGIN
    doc := def::jsonb;
  EXCEPTION WHEN others THEN
    RAISE EXCEPTION 'the definition is not JSON' USING ERRCODE = '22023';
  END;
  IF jsonb_typeof(doc) <> 'object' OR doc->>'id' IS DISTINCT FROM q OR doc->>'version' IS DISTINCT FROM v::text THEN
    RAISE EXCEPTION 'the definition does not name questionnaire % version %', q, v USING ERRCODE = '22023';
  END IF;
  IF h IS DISTINCT FROM encode(sha256(convert_to(def, 'UTF8')), 'hex') THEN
    RAISE EXCEPTION 'the content hash is not the SHA-256 of the definition' USING ERRCODE = '22023';
  END IF;
  PERFORM pg_advisory_xact_lock(7212018);
  -- A version kiosks already answered with other content would mix two questionnaires
  -- under one number in the analysis.
  IF EXISTS (SELECT 1 FROM public.questionnaire_definitions d
             WHERE d.questionnaire = q AND d.version = v AND d.content_hash <> h) THEN
    RAISE EXCEPTION '% version % is already in use on kiosks with other content; give the new content a new version', q, v
      USING ERRCODE = '23505';
  END IF;
  SELECT * INTO there FROM public.published_questionnaires p WHERE p.questionnaire = q AND p.version = v;
  IF FOUND THEN
    IF there.content_hash <> h THEN
      RAISE EXCEPTION '% version % was published with other content (%); give the new content a new version',
        q, v, left(there.content_hash, 12) USING ERRCODE = '23505';
    END IF;
    IF there.withdrawn_at IS NULL THEN
      RETURN 'already';
    END IF;
    UPDATE public.published_questionnaires SET withdrawn_by = NULL, withdrawn_at = NULL
      WHERE questionnaire = q AND version = v;
    RETURN 'reinstated';
  END IF;
  INSERT INTO public.published_questionnaires(questionnaire, version, content_hash, definition, published_by, published_at)
    VALUES (q, v, h, def, session_user, clock_timestamp());
  RETURN 'published';
END $$;

CREATE FUNCTION ecokiosk_withdraw(q text, v int) RETURNS text LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  at timestamptz;
BEGIN
  SELECT withdrawn_at INTO at FROM public.published_questionnaires WHERE questionnaire = q AND version = v FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no published % version %', q, v USING ERRCODE = '22023';
  END IF;
  IF at IS NOT NULL THEN
    RETURN 'already';
  END IF;
  UPDATE public.published_questionnaires SET withdrawn_by = session_user, withdrawn_at = clock_timestamp()
    WHERE questionnaire = q AND version = v;
  RETURN 'withdrawn';
END $$;

-- value NULL clears the key (the hall's, or the kiosk's own configuration, applies again).
CREATE FUNCTION ecokiosk_set_setting(sc text, nm text, k text, val jsonb) RETURNS void LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF sc = 'kiosk' AND NOT EXISTS (SELECT 1 FROM public.kiosks WHERE kiosk = nm) THEN
    RAISE EXCEPTION 'no kiosk "%" (central add-kiosk adds one)', nm USING ERRCODE = '22023';
  END IF;
  IF sc = 'hall' AND NOT EXISTS (SELECT 1 FROM public.kiosks WHERE hall_zh = nm) THEN
    RAISE EXCEPTION 'no kiosk is in a hall "%" (the hall is the Chinese name given to central add-kiosk)', nm
      USING ERRCODE = '22023';
  END IF;
  IF val IS NULL THEN
    DELETE FROM public.kiosk_settings WHERE scope = sc AND name = nm AND key = k;
  ELSE
    INSERT INTO public.kiosk_settings(scope, name, key, value, set_by, set_at)
      VALUES (sc, nm, k, val, session_user, clock_timestamp())
      ON CONFLICT (scope, name, key) DO UPDATE SET value = excluded.value, set_by = excluded.set_by,
        set_at = excluded.set_at;
  END IF;
END $$;

-- What a kiosk runs with: its hall's name from the kiosk list, then its hall's settings,
-- then its own (a later key wins).
CREATE FUNCTION ecokiosk_my_settings() RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN k.hall_zh <> '' THEN jsonb_build_object('hall_name',
              jsonb_strip_nulls(jsonb_build_object('zh', k.hall_zh, 'en', nullif(k.hall_en, ''))))
              ELSE '{}'::jsonb END
         || coalesce((SELECT jsonb_object_agg(s.key, s.value) FROM public.kiosk_settings s
                      WHERE s.scope = 'hall' AND s.name = k.hall_zh), '{}'::jsonb)
         || coalesce((SELECT jsonb_object_agg(s.key, s.value) FROM public.kiosk_settings s
                      WHERE s.scope = 'kiosk' AND s.name = k.kiosk), '{}'::jsonb)
  FROM public.kiosks k WHERE k.role = session_user
$$;

CREATE FUNCTION ecokiosk_audit_publish() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'published_questionnaires' THEN
    PERFORM public.ecokiosk_audit_append(
      CASE WHEN TG_OP = 'INSERT' THEN 'publish' WHEN NEW.withdrawn_at IS NULL THEN 'reinstate' ELSE 'withdraw' END,
      NEW.questionnaire || ' ' || NEW.version, 'content_hash ' || NEW.content_hash);
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM public.ecokiosk_audit_append('setting_cleared', OLD.scope || ' ' || OLD.name, OLD.key);
  ELSE
    PERFORM public.ecokiosk_audit_append('setting', NEW.scope || ' ' || NEW.name, NEW.key || '=' || NEW.value::text);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER published_questionnaires_audit AFTER INSERT OR UPDATE ON published_questionnaires
  FOR EACH ROW EXECUTE FUNCTION ecokiosk_audit_publish();
CREATE TRIGGER kiosk_settings_audit AFTER INSERT OR UPDATE OR DELETE ON kiosk_settings
  FOR EACH ROW EXECUTE FUNCTION ecokiosk_audit_publish();

ALTER TABLE published_questionnaires ENABLE ROW LEVEL SECURITY;
CREATE POLICY kiosk_reads_offered ON published_questionnaires FOR SELECT TO {kiosks} USING (withdrawn_at IS NULL);
CREATE POLICY staff_read ON published_questionnaires FOR SELECT TO {propaganda}, {admins}, {readers} USING (true);
REVOKE ALL ON published_questionnaires, kiosk_settings FROM PUBLIC;
GRANT SELECT (questionnaire, version, content_hash, definition) ON published_questionnaires TO {kiosks};
GRANT SELECT ON published_questionnaires TO {propaganda}, {admins}, {readers};
GRANT SELECT ON kiosk_settings TO {admins};
REVOKE ALL ON FUNCTION ecokiosk_publish(text, int, text, text), ecokiosk_withdraw(text, int),
  ecokiosk_set_setting(text, text, text, jsonb), ecokiosk_my_settings(), ecokiosk_audit_publish() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ecokiosk_publish(text, int, text, text), ecokiosk_withdraw(text, int),
  ecokiosk_set_setting(text, text, text, jsonb) TO {admins};
GRANT EXECUTE ON FUNCTION ecokiosk_my_settings() TO {kiosks};
)sql";

}  // namespace eco::central
