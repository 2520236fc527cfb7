// A small, strict JSON reader for safetensors headers. libtorch ships no JSON parser and the
// header is untrusted input, so this one bounds depth and reports the byte offset of any error.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace clip4j::json {

struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Value {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  bool is_integer = false;  // the literal had no fraction or exponent
  int64_t integer = 0;      // valid when is_integer and it fits
  std::string string;
  std::vector<Value> array;
  std::map<std::string, Value> object;

  const Value* find(const std::string& key) const;
};

// Parses a whole document; trailing non-space characters are an error.
Value parse(std::string_view text);

}  // namespace clip4j::json
