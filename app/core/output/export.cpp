#include "core/output/export.hpp"

#include <iconv.h>

#include <cerrno>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "core/output/export_xlsx.hpp"
#include "core/output/handoff.hpp"
#include "core/support/i18n.hpp"
#include "core/storage/interchange.hpp"
#include "core/output/report_doc.hpp"
#include "core/support/safe_file.hpp"
#include "core/analysis/survey_results.hpp"

namespace eco {

namespace fs = std::filesystem;

namespace {

// A plain decimal number ("-3", "12.5"): a value, never a formula, kept as it is.
bool plain_number(std::string_view v) {
  std::size_t i = v.size() > 1 && v[0] == '-' ? 1 : 0;
  bool digits = false, dot = false;
  for (; i < v.size(); ++i) {
    if (v[i] >= '0' && v[i] <= '9') digits = true;
    else if (v[i] == '.' && !dot && digits) dot = true;
    else return false;
  }
  return digits && v.back() != '.';
}

}  // namespace

bool csv_formula_risk(std::string_view v) {
  // OWASP's list: spreadsheets run a cell starting with these as a formula (or DDE).
  return !v.empty() && std::string_view("=+-@\t\r").find(v[0]) != std::string_view::npos && !plain_number(v);
}

namespace {

void csv_field(std::string& line, const std::string& v) {
  // Text Excel/WPS would run as a formula gets a leading apostrophe (OWASP's advice)
  // and is quoted; plain numbers, negative ones too, stay numbers.
  bool risk = csv_formula_risk(v);
  if (!risk && v.find_first_of(",\"\r\n") == std::string::npos) {
    line += v;
    return;
  }
  line += '"';
  if (risk) line += '\'';
  for (char c : v) {
    if (c == '"') line += '"';
    line += c;
  }
  line += '"';
}

// UTF-8 to GB18030 for older Excel; every Unicode character has a GB18030 form.
class Gb18030 {
 public:
  Gb18030() : cd_(iconv_open("GB18030", "UTF-8")) {}
  ~Gb18030() {
    if (cd_ != reinterpret_cast<iconv_t>(-1)) iconv_close(cd_);
  }
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  bool convert(const std::string& in, std::string& out) {
    out.resize(in.size() * 2 + 16);
    char* src = const_cast<char*>(in.data());
    std::size_t left = in.size();
    char* dst = out.data();
    std::size_t room = out.size();
    if (iconv(cd_, &src, &left, &dst, &room) == static_cast<std::size_t>(-1)) return false;
    out.resize(out.size() - room);
    return true;
  }

 private:
  iconv_t cd_;
};

std::string with_suffix(const std::string& path, const std::string& suffix) {
  fs::path p(path);
  return (p.parent_path() / (p.stem().string() + suffix + p.extension().string())).string();
}

std::vector<const Questionnaire*> chosen(const QuestionnaireSet& set, const std::string& id) {
  std::vector<const Questionnaire*> out;
  for (const auto& q : set.list) {
    if (!id.empty() && q.id != id) continue;
    if (set.find(q.id) == &q) out.push_back(&q);  // newest version per id
  }
  return out;
}

struct Writer {
  ResponseQueries& store;
  const QuestionnaireSet& set;
  const ExportOptions& o;
  std::vector<char> flagged;

  bool is_flagged(std::int64_t rid) const {
    return rid >= 0 && static_cast<std::size_t>(rid) < flagged.size() && flagged[static_cast<std::size_t>(rid)];
  }
  bool cancelled() const { return o.cancel && o.cancel->load(); }

  // Streams the responses (of `questionnaire`, or of every one when "") that the
  // filters and flags let through.
  template <class Fn>
  void each(const std::string& questionnaire, Fn&& fn) {
    ResponseFilter f = o.filter;
    f.questionnaire = questionnaire;
    store.each_with_id(f, [&](std::int64_t rid, Response& r) {
      if (cancelled()) return false;
      bool fl = is_flagged(rid);
      if (fl && !o.include_flagged) return true;
      return fn(r, fl);
    });
  }

  // Lines of one CSV file, UTF-8 or GB18030. Each formatting thread has its own: an
  // iconv descriptor may not be shared between threads.
  struct Lines {
    bool gb = false;
    Gb18030 conv;
    std::string line, encoded;
    bool put(SafeFile& f) {
      line += "\r\n";  // Excel's own line ending
      bool ok = gb ? conv.convert(line, encoded) && f.write(encoded) : f.write(line);
      line.clear();
      return ok;
    }
  };

  // One questionnaire's CSV while the pass over the responses runs: its file, its
  // columns and the thread that turns its responses into lines, in the order read.
  // Batches pass through a queue of at most kQueued, so memory stays bounded.
  struct CsvPart {
    CsvPart(const Questionnaire& quest, const std::string& path, bool gb)
        : q(quest), cols(export_columns(quest)), file(std::make_unique<SafeFile>(path)) {
      out.gb = gb;
    }
    const Questionnaire& q;
    std::vector<ExportColumn> cols;
    std::unique_ptr<SafeFile> file;
    Lines out;
    Handoff<Batch> queue;
    Spares spares;
    std::thread formatter;
    std::int64_t n = 0;
    bool ok = true;  // the formatter's; read once it is joined
    std::optional<BatchFiller> batch;
  };

  // However the pass ends (an exception from the database included), every started
  // formatter's queue is closed (it writes what is queued) and the formatter joined.
  struct JoinFormatters {
    std::vector<std::unique_ptr<CsvPart>>& parts;
    ~JoinFormatters() {
      for (auto& p : parts)
        if (p->formatter.joinable()) {
          p->queue.close();
          p->formatter.join();
        }
    }
  };

  void format_rows(CsvPart& p) {
    std::vector<std::string> cells;
    Batch b;
    while (p.queue.take(b)) {
      for (const auto& [r, fl] : b) {
        if (!p.ok) break;
        export_row(p.q, p.cols, r, fl, o.utc_offset_minutes, cells);
        if (o.labels) label_cells(p.q, p.cols, cells, o.lang);
        for (std::size_t i = 0; i < cells.size(); ++i) {
          if (i) p.out.line += ',';
          csv_field(p.out.line, cells[i]);
        }
        ++p.n;
        p.ok = p.out.put(*p.file);
      }
      if (!p.ok) p.queue.stop();  // the reader stops at this file's next batch
      p.spares.give(std::move(b));
    }
  }

  // The CSV of each questionnaire in qs (at paths[i]) and its codebook, as temporaries
  // in `files` (each CSV, then its codebook); export_data moves every file of the
  // export into place together. One pass over the responses feeds every file: a pass
  // per questionnaire read the whole responses table once for each (issue 20: the
  // filter cannot use an index without sorting millions of rows).
  std::string csv(const std::vector<const Questionnaire*>& qs, const std::vector<std::string>& paths,
                  ExportResult& res, std::vector<std::unique_ptr<SafeFile>>& files) {
    if (qs.empty()) return "";  // no questionnaire, no file: nothing to read
    const bool gb = o.encoding == "gb18030";
    std::vector<std::unique_ptr<CsvPart>> parts;
    for (std::size_t i = 0; i < qs.size(); ++i) {
      auto& p = *parts.emplace_back(std::make_unique<CsvPart>(*qs[i], paths[i], gb));
      if (!p.file->ok()) return p.file->error();
      if (gb && !p.out.conv.ok()) return "this system cannot convert to GB18030 (iconv)";
      if (!gb) *p.file << "\xEF\xBB\xBF";  // BOM: Excel then reads the file as UTF-8
      for (std::size_t c = 0; c < p.cols.size(); ++c) {
        if (c) p.out.line += ',';
        csv_field(p.out.line, p.cols[c].code);
      }
      p.out.put(*p.file);
    }
    {
      JoinFormatters join{parts};
      for (auto& p : parts) {
        p->batch.emplace(p->queue, p->spares);
        p->formatter = std::thread([this, &part = *p] { format_rows(part); });
      }
      CsvPart* last = nullptr;  // responses come in runs of one questionnaire
      each(qs.size() == 1 ? qs[0]->id : std::string(), [&](Response& r, bool fl) {
        if (!last || last->q.id != r.questionnaire) {
          last = nullptr;
          for (auto& p : parts)
            if (p->q.id == r.questionnaire) last = p.get();
        }
        return !last || last->batch->take(r, fl);  // false once that file's formatter failed
      });
      for (auto& p : parts) p->batch->finish();
    }
    if (cancelled()) return "cancelled";
    for (auto& p : parts)  // the failure that stopped the pass, before any file is finished
      if (!p->ok)
        return (p->file->ok() ? "converting to GB18030 failed" : p->file->error()) + " after " + std::to_string(p->n) +
               " rows";
    for (auto& p : parts)
      if (std::string e = p->file->finish(); !e.empty()) return e;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      CsvPart* p = parts[i].get();
      res.rows += p->n;
      files.push_back(std::move(p->file));
      // The codebook beside it: every column and code with its Chinese and English text.
      auto& cb = *files.emplace_back(std::make_unique<SafeFile>(with_suffix(paths[i], ".codebook")));
      if (!cb.ok()) return cb.error();
      Lines& out = p->out;
      if (!gb) cb << "\xEF\xBB\xBF";
      out.line = "column,question,question_zh,question_en,code,label_zh,label_en";
      out.put(cb);
      for (const auto& c : p->cols) {
        auto row = [&](const std::string& code, const std::string& zh, const std::string& en) {
          for (const std::string* f : {&c.code, &c.question, &c.zh, &c.en, &code, &zh, &en}) {
            if (f != &c.code) out.line += ',';
            csv_field(out.line, *f);
          }
          out.put(cb);
        };
        const Question* qu = c.question.empty() ? nullptr : p->q.find(c.question);
        if (c.kind == ExportColumn::Kind::choice && qu)
          for (const auto& op : qu->options) row(op.id, op.text.get("zh"), op.text.get("en"));
        else if (c.kind == ExportColumn::Kind::option_flag)
          row("1", "选中", "selected"), row("0", "未选", "not selected");
        else
          row("", "", "");
      }
      if (std::string e = cb.finish(); !e.empty()) return e;
    }
    return "";
  }

  std::string jsonl(const std::string& path, ExportResult& res) {
    SafeFile file(path);
    if (!file.ok()) return file.error();
    std::int64_t n = 0;
    bool ok = true;
    std::string line;
    for (const Questionnaire* q : chosen(set, o.questionnaire)) {
      ResponseFilter f = o.filter;
      f.questionnaire = q->id;
      f.version.reset();  // every version of the questionnaire: the format carries it
      if (o.filter.version) f.version = o.filter.version;
      // Interchange carries every response, flagged or not: flags are judged where
      // the data are merged, never by dropping them on the way.
      store.each(f, [&](const Response& r) {
        if (cancelled()) return false;
        line = response_to_line(r);
        line += '\n';
        ++n;
        ok = file.write(line);
        return ok;
      });
    }
    if (cancelled()) return "cancelled";
    if (!ok) return file.error() + " after " + std::to_string(n) + " rows";
    if (std::string e = file.commit(o.replace); !e.empty()) return e;
    res.files.push_back(path);
    res.rows = n;
    return "";
  }
};

// Why the export cannot start (a bad --out, an unknown questionnaire, a file already
// there), "" when it can. Checked before any data is read.
std::string refuse_request(const QuestionnaireSet& set, const ExportOptions& o) {
  if (o.out.empty()) return "no output file given";
  // Files are named from --out (csv, sav and dta add "-ID" per questionnaire): a
  // folder or a device there would give "/dev/null-satisfaction" or "/-green-travel".
  std::string name = fs::path(o.out).filename().string();
  std::error_code ec;
  auto st = fs::status(o.out, ec);
  if (name.empty() || name == "." || name == ".." || fs::is_directory(st))
    return "--out " + o.out + " is a folder; give a file name in it (e.g. " +
           (fs::path(o.out) / ("results." + o.format)).lexically_normal().string() + ")";
  if (fs::exists(st) && !fs::is_regular_file(st))
    return "--out " + o.out + " is not a regular file (a device, a pipe or a socket); give a file name";
  if (!o.questionnaire.empty() && !set.find(o.questionnaire)) return "unknown questionnaire \"" + o.questionnaire + "\"";
  if (auto parent = fs::path(o.out).parent_path(); !parent.empty())
    if (std::string e = make_private_dirs(parent.string()); !e.empty())
      return "cannot write " + o.out + ": " + e;  // which file, then why
  if (!o.replace && o.format != "csv" && o.format != "sav" && o.format != "dta")  // those check each file
    return refuse_existing(o.out);
  return "";
}

// One CSV (and codebook) per questionnaire: their columns differ.
void export_csv(Writer& w, const QuestionnaireSet& set, const ExportOptions& o, ExportResult& res) {
  auto qs = chosen(set, o.questionnaire);
  std::vector<std::string> paths;
  for (const Questionnaire* q : qs) {
    std::string path = qs.size() == 1 ? o.out : with_suffix(o.out, "-" + q->id);
    // Refused before anything is written, and again atomically when moved into place.
    if (res.error.empty() && !o.replace) res.error = refuse_existing(path);
    if (res.error.empty() && !o.replace) res.error = refuse_existing(with_suffix(path, ".codebook"));
    paths.push_back(path);
  }
  std::vector<std::unique_ptr<SafeFile>> files;
  if (res.error.empty()) res.error = w.csv(qs, paths, res, files);
  // The whole set appears together, or none of it (the temporaries go with `files`).
  std::vector<SafeFile*> all;
  for (auto& f : files) all.push_back(f.get());
  if (res.error.empty()) res.error = commit_all(all, o.replace);
  if (res.error.empty())
    for (auto* f : all) res.files.push_back(f->final_path());
  else
    res.rows = 0;
}

void export_html(ResponseQueries& store, const QuestionnaireSet& set, const ExportOptions& o, ExportResult& res) {
  SafeFile f(o.out);
  if (!f.ok()) {
    res.error = f.error();
    return;
  }
  f << html_report(store, set, o);
  res.error = f.commit(o.replace);
  if (res.error.empty()) res.files.push_back(o.out);
  res.rows = store.count(o.filter);
}

void export_pdf(ResponseQueries& store, const QuestionnaireSet& set, const ExportOptions& o, ExportResult& res) {
  // cairo writes the temporary by name, as libxlsxwriter does; SafeFile made it (0600,
  // exclusive, no link followed) and moves it into place only when it is complete.
  SafeFile f(o.out);
  res.error = f.ok() ? doc::render_pdf(doc::build_report(store, set, o), f.temp_path()) : f.error();
  if (res.error.empty() && o.cancel && o.cancel->load()) res.error = "cancelled";
  if (res.error.empty()) res.error = f.commit(o.replace);
  if (res.error.empty()) {
    res.files.push_back(o.out);
    res.rows = store.count(o.filter);
  }
}

// SPSS or Stata, weighted to the population when it is given.
void export_stats_files(ResponseQueries& store, const QuestionnaireSet& set, const ExportOptions& o,
                        const std::vector<char>& flagged, ExportResult& res) {
  auto qs = chosen(set, o.questionnaire);
  std::map<std::int64_t, double> weights;
  if (o.population)
    for (const Questionnaire* q : qs) {
      auto wq = raking_weights(store, set, q->id, indicator_options(o));
      weights.insert(wq.begin(), wq.end());
    }
  res.error = export_readstat(store, set, o, flagged, qs, o.population ? &weights : nullptr, res);
}

}  // namespace

ExportResult export_data(ResponseQueries& store, const QuestionnaireSet& set, const ExportOptions& o) {
  ExportResult res;
  if (res.error = refuse_request(set, o); !res.error.empty()) return res;
  backfill_metrics(store, set);
  // One view of the responses for the whole file: its summary, rows and counts agree
  // while kiosks or an import go on saving.
  store.read_consistently([&] {
    Writer w{store, set, o, flagged_rows(store, o.min_seconds_per_question)};
    if (o.format == "csv") export_csv(w, set, o, res);
    else if (o.format == "jsonl") res.error = w.jsonl(o.out, res);
    else if (o.format == "xlsx") res.error = write_xlsx(store, set, o, w.flagged, res);
    else if (o.format == "html") export_html(store, set, o, res);
    else if (o.format == "pdf") export_pdf(store, set, o, res);
    else if (o.format == "sav" || o.format == "dta") export_stats_files(store, set, o, w.flagged, res);
    else res.error = "unknown format \"" + o.format + "\" (xlsx, csv, jsonl, html, pdf, sav, dta)";
  });
  return res;
}

}  // namespace eco
