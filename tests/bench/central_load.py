#!/usr/bin/env python3
"""Loads a kiosk database's responses into a center with COPY (benchmarks only).

  central_load.py KIOSK.db ADMIN_URL

The kiosk database is the generator's output (`ecokiosk demo-data`, as many kiosks as
wanted); its responses, answer atoms and metrics are streamed to psql's COPY FROM STDIN
in the center's format, in the database's order, so both engines hold the same rows.
Digests are a placeholder: nothing syncs into this center afterwards."""
import json
import sqlite3
import subprocess
import sys

db, url = sys.argv[1], sys.argv[2]
src = sqlite3.connect(db)


def esc(v):
    """A value in COPY's text format."""
    if v is None:
        return "\\N"
    s = str(v)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy(table, columns, rows):
    p = subprocess.Popen(["psql", "-qX", "-v", "ON_ERROR_STOP=1", url, "-c",
                          f"COPY {table}({', '.join(columns)}) FROM STDIN"],
                         stdin=subprocess.PIPE, text=True, encoding="utf-8")
    buf = []
    for r in rows:
        buf.append("\t".join(esc(v) for v in r))
        if len(buf) >= 20000:
            p.stdin.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        p.stdin.write("\n".join(buf) + "\n")
    p.stdin.close()
    if p.wait() != 0:
        sys.exit(f"COPY into {table} failed")


copy("questionnaire_definitions", ["questionnaire", "version", "content_hash", "definition", "first_seen"],
     src.execute("SELECT questionnaire, version, content_hash, definition, first_seen FROM questionnaire_definitions"))

uuid = dict(src.execute("SELECT id, uuid FROM responses"))
labels = dict(src.execute("SELECT id, value FROM labels"))

copy("responses", ["id", "kiosk", "questionnaire", "version", "content_hash", "lang", "started_at", "completed_at",
                   "duration_s", "visible_questions", "drawn", "digest"],
     ((u, k, q, v, h, lang, s, c, d, vis, drawn, "bench") for (u, k, q, v, h, lang, s, c, d, vis, drawn) in
      src.execute("SELECT uuid, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, "
                  "duration_s, visible_questions, drawn FROM responses ORDER BY id")))



def array(values):
    """A PostgreSQL array literal (COPY's escaping is added by esc)."""
    out = []
    for v in values:
        if v is None:
            out.append("NULL")
        elif isinstance(v, str):
            out.append('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"')
        else:
            out.append(str(v))
    return "{" + ",".join(out) + "}"


def answer_sets():
    """Each response's atoms as one row of arrays (central schema 12), in ord order, with its rid."""
    cur, atoms = None, []
    for (r, o, q, k, i, v, t) in src.execute(
            "SELECT response, ord, question, kind, item, value, text FROM answers ORDER BY response, ord"):
        if r != cur and atoms:
            yield (rid[cur], uuid[cur], *(array(col) for col in zip(*atoms)))
            atoms = []
        cur = r
        atoms.append((o, q, k, i, v, t))
    if atoms:
        yield (rid[cur], uuid[cur], *(array(col) for col in zip(*atoms)))


sets = subprocess.run(["psql", "-qAtX", url, "-c", "SELECT to_regclass('public.answer_sets') IS NOT NULL"],
                      capture_output=True, text=True, check=True).stdout.strip() == "t"
if sets:
    back = dict((u, i) for (i, u) in uuid.items())
    rid = {}
    for line in subprocess.run(["psql", "-qAtX", url, "-c", "SELECT id, rid FROM responses"],
                               capture_output=True, text=True, check=True).stdout.splitlines():
        u, r = line.split("|")
        if u in back:
            rid[back[u]] = r
    copy("answer_sets", ["rid", "response", "ords", "questions", "kinds", "items", "vals", "texts"], answer_sets())
else:
    copy("answers", ["response", "ord", "question", "kind", "item", "value", "text"],
         ((uuid[r], o, q, k, i, v, t) for (r, o, q, k, i, v, t) in
          src.execute("SELECT response, ord, question, kind, item, value, text FROM answers")))


def outcomes(blob):
    out = []
    for i in range(0, len(blob) - 4, 5):
        out.append([labels[int.from_bytes(blob[i:i + 4], "little")], blob[i + 4]])
    return json.dumps(out, ensure_ascii=False)


def label(i):
    return None if i is None else labels[i]


copy("response_metrics", ["response", "method", "questionnaire", "version", "kiosk", "completed_at", "duration_s",
                          "visible", "age", "gender", "township", "score", "correct", "drawn", "satisfied", "trips",
                          "green", "flags", "fingerprint", "outcomes"],
     ((uuid[r], m, q, v, labels[k], c, d, vis, label(a), label(g), label(t), sc, co, dr, sa, tr, gr, fl, fp,
       outcomes(oc)) for (r, m, q, v, k, c, d, vis, a, g, t, sc, co, dr, sa, tr, gr, fl, fp, oc) in
      src.execute("SELECT response, method, questionnaire, version, kiosk, completed_at, duration_s, visible, age, "
                  "gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes "
                  "FROM response_metrics ORDER BY response")))

# The row numbers are in no counted cell (schema 6): the cells' update trigger would
# count every row out and in again for nothing, so it sleeps for this one statement.
subprocess.run(["psql", "-qX", "-v", "ON_ERROR_STOP=1", url, "-c",
                "ALTER TABLE response_metrics DISABLE TRIGGER count_cells_update; "
                "UPDATE response_metrics m SET rid = r.rid FROM responses r WHERE r.id = m.response; "
                "ALTER TABLE response_metrics ENABLE TRIGGER count_cells_update"], check=True)
subprocess.run(["psql", "-qX", url, "-c", "VACUUM ANALYZE"], check=True)
