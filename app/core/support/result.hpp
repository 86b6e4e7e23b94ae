// A value or the reason there is none, in place of a std::string that means "empty, or
// the error". std::expected arrives with C++23; this is the part the app needs.
#pragma once
#include <string>
#include <utility>
#include <variant>

namespace eco {

struct Error {
  std::string text;  // a message key ("console.export_failed") or a library's own words
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit, like std::expected
  Result(Error error) : v_(std::move(error)) {}    // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const { return std::get<0>(v_); }
  T& value() { return std::get<0>(v_); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace eco
