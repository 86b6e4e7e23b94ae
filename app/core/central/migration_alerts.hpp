// The center's alerts migration (issue 17; with the export audit and enabling an account
// again, which came with the console's pages), kept in its own file so another migration
// appended beside it merges without touching this text. schema.cpp lists it in
// kCentralMigrations; {departments}, {propaganda}, {admins} and {readers} stand for the
// database's group roles there.
//
// An alert says a survey indicator (35, 39, 40) of the district or of one kiosk's hall
// is below its target with confidence (the 95% interval's upper end under the target)
// over a window of days. Rows are written only by ecokiosk_raise_alert (by whoever
// computed the figures: the propaganda department, the readers, district IT) and
// changed only by ecokiosk_ack_alert (by the responsible department); both append to
// the audit with session_user and the server's clock. Row-level security shows an
// alert to its department, to the propaganda department and readers (they read every
// response anyway) and to admins; nobody else.
#pragma once

namespace eco::central {

inline constexpr const char* kMigrationAlerts = R"sql(
CREATE TABLE alerts(
  id bigserial PRIMARY KEY,
  indicator text NOT NULL,           -- '35', '39', '40'
  scope text NOT NULL,               -- '' = the district, else the kiosk id of the hall
  hall_zh text NOT NULL DEFAULT '',
  hall_en text NOT NULL DEFAULT '',
  department text NOT NULL,          -- the catalog's lead unit, looked up by the center
  window_days integer NOT NULL,
  target double precision NOT NULL,
  n bigint NOT NULL,
  value double precision NOT NULL,
  ci_lo double precision NOT NULL,
  ci_hi double precision NOT NULL,
  items text NOT NULL DEFAULT '[]',  -- JSON [{item, n, pct}], worst first
  raised_at timestamptz NOT NULL,
  raised_by text NOT NULL,
  checked_at timestamptz NOT NULL,   -- the newest check that found it still below
  acked_at timestamptz,
  acked_by text,
  ack_note text
);
-- One open alert per indicator and scope: a second check updates its evidence.
CREATE UNIQUE INDEX alerts_one_open ON alerts(indicator, scope) WHERE acked_at IS NULL;
CREATE INDEX alerts_by_department ON alerts(department, id);

-- Whether the login answers for a department's alerts: its own department's staff, and
-- the propaganda accounts for the propaganda department (the plan's lead of 39 and 40).
CREATE FUNCTION ecokiosk_acts_for(dept text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT EXISTS(SELECT 1 FROM public.accounts a WHERE a.role = session_user AND NOT a.disabled
                      AND ((a.kind = 'department' AND a.department = dept)
                           OR (a.kind = 'propaganda' AND dept = '区委宣传部'))) $$;
REVOKE ALL ON FUNCTION ecokiosk_acts_for(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ecokiosk_acts_for(text) TO {departments}, {propaganda}, {admins}, {readers};

ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY department_reads_its_own ON alerts FOR SELECT TO {departments}
  USING (public.ecokiosk_acts_for(department));
CREATE POLICY district_reads_all ON alerts FOR SELECT TO {propaganda}, {admins}, {readers} USING (true);
GRANT SELECT ON alerts TO {departments}, {propaganda}, {admins}, {readers};

-- Raised by whoever computed the figures. The responsible department is the center's
-- (indicator_leads), never the caller's word. Returns the alert's id and whether it is
-- new; an open alert of the same indicator and scope gets the newer evidence instead,
-- and one acknowledged less than its window ago is not raised again (the same days'
-- responses would raise it at every check).
CREATE FUNCTION ecokiosk_raise_alert(ind text, scp text, hzh text, hen text, days integer, tgt double precision,
    cnt bigint, val double precision, lo double precision, hi double precision, its text,
    OUT alert_id bigint, OUT raised boolean)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  dept text;
  t timestamptz := clock_timestamp();
BEGIN
  IF NOT (hi < tgt) OR cnt < 1 OR days < 1 THEN
    RAISE EXCEPTION 'not below target with confidence (upper end % against target %, n %)', hi, tgt, cnt
      USING ERRCODE = '22023';
  END IF;
  SELECT min(l.department) INTO dept FROM public.indicator_leads l WHERE l.indicator = ind;
  IF dept IS NULL THEN
    RAISE EXCEPTION 'indicator "%" has no lead department in the catalog (central init loads them)', ind
      USING ERRCODE = '22023';
  END IF;
  PERFORM pg_advisory_xact_lock(7212018);
  UPDATE public.alerts SET n = cnt, value = val, ci_lo = lo, ci_hi = hi, items = its, target = tgt,
      window_days = days, checked_at = t
    WHERE indicator = ind AND scope = scp AND acked_at IS NULL
    RETURNING id INTO alert_id;
  IF FOUND THEN
    raised := false;
    RETURN;
  END IF;
  SELECT a.id INTO alert_id FROM public.alerts a
    WHERE a.indicator = ind AND a.scope = scp AND a.acked_at > t - make_interval(days => a.window_days)
    ORDER BY a.id DESC LIMIT 1;
  IF FOUND THEN
    raised := false;
    RETURN;
  END IF;
  INSERT INTO public.alerts(indicator, scope, hall_zh, hall_en, department, window_days, target, n, value,
                            ci_lo, ci_hi, items, raised_at, raised_by, checked_at)
    VALUES (ind, scp, hzh, hen, dept, days, tgt, cnt, val, lo, hi, its, t, session_user, t)
    RETURNING id INTO alert_id;
  raised := true;
  PERFORM public.ecokiosk_audit_append('alert_raise', ind, json_build_object('alert', alert_id, 'scope', scp,
      'department', dept, 'window_days', days, 'target', tgt, 'n', cnt, 'value', val, 'ci', json_build_array(lo, hi))::text);
END $$;
REVOKE ALL ON FUNCTION ecokiosk_raise_alert(text, text, text, text, integer, double precision, bigint,
  double precision, double precision, double precision, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ecokiosk_raise_alert(text, text, text, text, integer, double precision, bigint,
  double precision, double precision, double precision, text) TO {propaganda}, {readers};

-- Acknowledged by the responsible department with a note: login and time are the server's.
CREATE FUNCTION ecokiosk_ack_alert(alert bigint, note text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a public.alerts;
BEGIN
  SELECT * INTO a FROM public.alerts WHERE id = alert FOR UPDATE;
  IF NOT FOUND OR NOT public.ecokiosk_acts_for(a.department) THEN
    -- The same words for "none" and "not yours": another department learns nothing.
    RAISE EXCEPTION 'no alert % for your department', alert USING ERRCODE = '42501';
  END IF;
  IF a.acked_at IS NOT NULL THEN
    RAISE EXCEPTION 'alert % was acknowledged by % already', alert, a.acked_by USING ERRCODE = '22023';
  END IF;
  IF note IS NULL OR length(btrim(note)) = 0 THEN
    RAISE EXCEPTION 'an acknowledgement needs a note (what the department will do)' USING ERRCODE = '22023';
  END IF;
  UPDATE public.alerts SET acked_at = clock_timestamp(), acked_by = session_user, ack_note = left(note, 2000)
    WHERE id = alert;
  PERFORM public.ecokiosk_audit_append('alert_ack', a.indicator,
      json_build_object('alert', alert, 'scope', a.scope, 'department', a.department, 'note', left(note, 2000))::text);
END $$;
REVOKE ALL ON FUNCTION ecokiosk_ack_alert(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ecokiosk_ack_alert(bigint, text) TO {departments}, {propaganda};

-- Every export of residents' answers from the center (the command line's, the console's)
-- is noted here first, under the login: an export the center will not record is not made.
CREATE FUNCTION ecokiosk_note_export(subj text, det text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM public.ecokiosk_audit_append('export', left(subj, 200), left(det, 2000));
END $$;
REVOKE ALL ON FUNCTION ecokiosk_note_export(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ecokiosk_note_export(text, text) TO {propaganda}, {readers};

-- A disabled account back (ecokiosk_disable_account's other half), as an admin: the role
-- may log in again with its old password; the accounts trigger audits the change.
CREATE FUNCTION ecokiosk_enable_account(login text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM public.accounts WHERE role = login) THEN
    RAISE EXCEPTION 'no account "%"', login USING ERRCODE = '22023';
  END IF;
  EXECUTE format('ALTER ROLE %I LOGIN', login);
  UPDATE public.accounts SET disabled = false WHERE role = login;
END $$;
REVOKE ALL ON FUNCTION ecokiosk_enable_account(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ecokiosk_enable_account(text) TO {admins};
)sql";

}  // namespace eco::central
