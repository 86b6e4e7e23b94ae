// A shared library opened on its first use (dlopen), not at program start: the kiosk's
// welcome screen needs neither librime (pinyin) nor espeak-ng (read-aloud), and each
// brings its own dependencies (ICU, yaml-cpp, leveldb; pulse, sndfile and codecs), whose
// pages and relocations cost memory and start-up time in every kiosk (issue 20).
#pragma once
#include <mutex>
#include <string>

namespace eco {

class SharedLibrary {
 public:
  // soname: e.g. "librime.so.1"; package: the Debian package that installs it, named in
  // the message when it is missing.
  SharedLibrary(std::string soname, std::string package);
  ~SharedLibrary();
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  // Opens the library once (any thread); false, with error(), when it cannot be loaded.
  bool open();
  // A symbol of the opened library, or null (error() then names it). open() first.
  void* symbol(const char* name);
  // Resolves `name` into `fn`; false (and error()) when the library or the symbol is missing.
  template <class F>
  bool bind(F*& fn, const char* name) {
    fn = open() ? reinterpret_cast<F*>(symbol(name)) : nullptr;
    return fn != nullptr;
  }
  bool loaded() const;
  std::string error() const;
  const std::string& soname() const { return soname_; }

 private:
  std::string soname_, package_;
  mutable std::mutex m_;
  void* handle_ = nullptr;
  bool tried_ = false;
  std::string error_;
};

}  // namespace eco
