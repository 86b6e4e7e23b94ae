#include "core/export.hpp"

#include <iconv.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/export_xlsx.hpp"
#include "core/i18n.hpp"
#include "core/interchange.hpp"
#include "core/report_doc.hpp"
#include "core/survey_results.hpp"

namespace eco {

namespace fs = std::filesystem;

namespace {

// A file written as NAME.part and renamed to NAME only when complete, so a pulled USB
// stick never holds a half file that looks whole.
class PartFile {
 public:
  explicit PartFile(std::string path) : path_(std::move(path)), part_(path_ + ".part") {
    out_.open(part_, std::ios::binary | std::ios::trunc);
  }
  ~PartFile() {
    if (!done_) {
      out_.close();
      std::error_code ec;
      fs::remove(part_, ec);
    }
  }
  bool ok() const { return static_cast<bool>(out_); }
  std::ofstream& out() { return out_; }
  std::string commit() {
    out_.flush();
    if (!out_) return "writing " + part_ + " failed (disk full or removed?)";
    out_.close();
    std::error_code ec;
    fs::rename(part_, path_, ec);
    if (ec) return "cannot rename " + part_ + ": " + ec.message();
    done_ = true;
    return "";
  }
  const std::string& part() const { return part_; }

 private:
  std::string path_, part_;
  std::ofstream out_;
  bool done_ = false;
};

void csv_field(std::string& line, const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) {
    line += v;
    return;
  }
  line += '"';
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
  Store& store;
  const QuestionnaireSet& set;
  const ExportOptions& o;
  std::vector<char> flagged;

  bool is_flagged(std::int64_t rid) const {
    return rid >= 0 && static_cast<std::size_t>(rid) < flagged.size() && flagged[static_cast<std::size_t>(rid)];
  }
  bool cancelled() const { return o.cancel && o.cancel->load(); }

  // Streams the responses of q that the filters and flags let through.
  template <class Fn>
  void each(const Questionnaire& q, Fn&& fn) {
    ResponseFilter f = o.filter;
    f.questionnaire = q.id;
    store.each_with_id(f, [&](std::int64_t rid, const Response& r) {
      if (cancelled()) return false;
      bool fl = is_flagged(rid);
      if (fl && !o.include_flagged) return true;
      return fn(r, fl);
    });
  }

  std::string csv(const Questionnaire& q, const std::string& path, ExportResult& res) {
    auto cols = export_columns(q);
    PartFile file(path);
    if (!file.ok()) return "cannot write " + file.part();
    bool gb = o.encoding == "gb18030";
    Gb18030 conv;
    if (gb && !conv.ok()) return "this system cannot convert to GB18030 (iconv)";
    std::string line, encoded;
    auto put = [&]() {
      line += "\r\n";  // Excel's own line ending
      if (gb) {
        if (!conv.convert(line, encoded)) return false;
        file.out().write(encoded.data(), static_cast<std::streamsize>(encoded.size()));
      } else {
        file.out().write(line.data(), static_cast<std::streamsize>(line.size()));
      }
      line.clear();
      return static_cast<bool>(file.out());
    };
    if (!gb) file.out() << "\xEF\xBB\xBF";  // BOM: Excel then reads the file as UTF-8
    for (std::size_t i = 0; i < cols.size(); ++i) {
      if (i) line += ',';
      csv_field(line, cols[i].code);
    }
    put();
    std::vector<std::string> cells;
    std::int64_t n = 0;
    bool ok = true;
    each(q, [&](const Response& r, bool fl) {
      export_row(q, cols, r, fl, o.utc_offset_minutes, cells);
      for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i) line += ',';
        csv_field(line, cells[i]);
      }
      ++n;
      ok = put();
      return ok;
    });
    if (cancelled()) return "cancelled";
    if (!ok) return "writing " + file.part() + " failed after " + std::to_string(n) + " rows";
    if (std::string e = file.commit(); !e.empty()) return e;
    res.files.push_back(path);
    res.rows += n;
    // The codebook beside it: every column and code with its Chinese and English text.
    std::string cb_path = with_suffix(path, ".codebook");
    PartFile cb(cb_path);
    if (!gb) cb.out() << "\xEF\xBB\xBF";
    line.clear();
    line = "column,question,question_zh,question_en,code,label_zh,label_en";
    auto put_cb = [&]() {
      line += "\r\n";
      if (gb) {
        conv.convert(line, encoded);
        cb.out() << encoded;
      } else {
        cb.out() << line;
      }
      line.clear();
    };
    put_cb();
    for (const auto& c : export_columns(q)) {
      auto row = [&](const std::string& code, const std::string& zh, const std::string& en) {
        for (const std::string* f : {&c.code, &c.question, &c.zh, &c.en, &code, &zh, &en}) {
          if (f != &c.code) line += ',';
          csv_field(line, *f);
        }
        put_cb();
      };
      const Question* qu = c.question.empty() ? nullptr : q.find(c.question);
      if (c.kind == ExportColumn::Kind::choice && qu)
        for (const auto& op : qu->options) row(op.id, op.text.get("zh"), op.text.get("en"));
      else if (c.kind == ExportColumn::Kind::option_flag)
        row("1", "选中", "selected"), row("0", "未选", "not selected");
      else
        row("", "", "");
    }
    if (std::string e = cb.commit(); !e.empty()) return e;
    res.files.push_back(cb_path);
    return "";
  }

  std::string jsonl(const std::string& path, ExportResult& res) {
    PartFile file(path);
    if (!file.ok()) return "cannot write " + file.part();
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
        file.out().write(line.data(), static_cast<std::streamsize>(line.size()));
        ++n;
        ok = static_cast<bool>(file.out());
        return ok;
      });
    }
    if (cancelled()) return "cancelled";
    if (!ok) return "writing " + file.part() + " failed after " + std::to_string(n) + " rows";
    if (std::string e = file.commit(); !e.empty()) return e;
    res.files.push_back(path);
    res.rows = n;
    return "";
  }
};

}  // namespace

ExportResult export_data(Store& store, const QuestionnaireSet& set, const ExportOptions& o) {
  ExportResult res;
  if (o.out.empty()) {
    res.error = "no output file given";
    return res;
  }
  if (!o.questionnaire.empty() && !set.find(o.questionnaire)) {
    res.error = "unknown questionnaire \"" + o.questionnaire + "\"";
    return res;
  }
  if (auto parent = fs::path(o.out).parent_path(); !parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
  }
  store.backfill_metrics(set);
  Writer w{store, set, o, flagged_rows(store, o.min_seconds_per_question)};
  if (o.format == "csv") {
    auto qs = chosen(set, o.questionnaire);
    for (const Questionnaire* q : qs) {
      // One questionnaire per file: its columns differ from the others'.
      std::string path = qs.size() == 1 ? o.out : with_suffix(o.out, "-" + q->id);
      res.error = w.csv(*q, path, res);
      if (!res.error.empty()) break;
    }
  } else if (o.format == "jsonl") {
    res.error = w.jsonl(o.out, res);
  } else if (o.format == "xlsx") {
    res.error = write_xlsx(store, set, o, w.flagged, res);
  } else if (o.format == "html") {
    PartFile f(o.out);
    if (!f.ok()) {
      res.error = "cannot write " + f.part();
    } else {
      f.out() << html_report(store, set, o);
      res.error = f.commit();
      if (res.error.empty()) res.files.push_back(o.out);
      res.rows = store.count(o.filter);
    }
  } else if (o.format == "pdf") {
    // Rendered under the .part name like every other file, renamed when finished.
    std::string part = o.out + ".part";
    res.error = doc::render_pdf(doc::build_report(store, set, o), part);
    std::error_code ec;
    if (res.error.empty() && o.cancel && o.cancel->load()) res.error = "cancelled";
    if (res.error.empty()) {
      fs::rename(part, o.out, ec);
      if (ec) res.error = "cannot rename " + part + ": " + ec.message();
    }
    if (res.error.empty()) {
      res.files.push_back(o.out);
      res.rows = store.count(o.filter);
    } else {
      fs::remove(part, ec);
    }
  } else {
    res.error = "unknown format \"" + o.format + "\" (xlsx, csv, jsonl, html, pdf)";
  }
  return res;
}

}  // namespace eco
