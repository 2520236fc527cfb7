#include "json_lite.h"

#include <cerrno>
#include <cstdlib>

namespace clip4j::json {
namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Value document() {
    Value v = value(0);
    skip_space();
    if (pos_ != text_.size()) fail("unexpected characters after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw ParseError(what + " at byte " + std::to_string(pos_));
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      pos_++;
    }
  }

  char peek() {
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end of JSON");
    return text_[pos_];
  }

  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    pos_++;
  }

  void literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) fail("invalid literal");
    pos_ += word.size();
  }

  Value value(int depth) {
    if (depth > kMaxDepth) fail("JSON nested too deeply");
    Value v;
    switch (peek()) {
      case '{':
        v.kind = Value::Kind::Object;
        pos_++;
        if (peek() == '}') {
          pos_++;
          return v;
        }
        for (;;) {
          if (peek() != '"') fail("expected a string key");
          std::string key = string();
          expect(':');
          Value item = value(depth + 1);
          if (!v.object.emplace(std::move(key), std::move(item)).second) fail("duplicate key");
          if (peek() == ',') {
            pos_++;
            continue;
          }
          expect('}');
          return v;
        }
      case '[':
        v.kind = Value::Kind::Array;
        pos_++;
        if (peek() == ']') {
          pos_++;
          return v;
        }
        for (;;) {
          v.array.push_back(value(depth + 1));
          if (peek() == ',') {
            pos_++;
            continue;
          }
          expect(']');
          return v;
        }
      case '"':
        v.kind = Value::Kind::String;
        v.string = string();
        return v;
      case 't':
        literal("true");
        v.kind = Value::Kind::Bool;
        v.boolean = true;
        return v;
      case 'f':
        literal("false");
        v.kind = Value::Kind::Bool;
        return v;
      case 'n':
        literal("null");
        return v;
      default:
        return number();
    }
  }

  Value number() {
    const size_t start = pos_;
    bool integer = true;
    if (pos_ < text_.size() && text_[pos_] == '-') pos_++;
    const size_t digits = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') pos_++;
    if (pos_ == digits) fail("invalid number");
    if (pos_ < text_.size() && text_[pos_] == '.') {
      integer = false;
      pos_++;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') pos_++;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      integer = false;
      pos_++;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) pos_++;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') pos_++;
    }
    const std::string literal(text_.substr(start, pos_ - start));
    Value v;
    v.kind = Value::Kind::Number;
    v.number = std::strtod(literal.c_str(), nullptr);
    if (integer) {
      errno = 0;
      const long long parsed = std::strtoll(literal.c_str(), nullptr, 10);
      v.is_integer = errno == 0;
      v.integer = parsed;
    }
    return v;
  }

  void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }

  uint32_t hex4() {
    if (pos_ + 4 > text_.size()) fail("truncated \\u escape");
    uint32_t cp = 0;
    for (int i = 0; i < 4; i++) {
      const char c = text_[pos_++];
      cp <<= 4;
      if (c >= '0' && c <= '9')
        cp |= uint32_t(c - '0');
      else if (c >= 'a' && c <= 'f')
        cp |= uint32_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        cp |= uint32_t(c - 'A' + 10);
      else
        fail("invalid \\u escape");
    }
    return cp;
  }

  std::string string() {
    pos_++;  // opening quote
    std::string out;
    for (;;) {
      if (pos_ >= text_.size()) fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) fail("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF && text_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            const uint32_t low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            fail("unpaired surrogate");
          }
          append_utf8(out, cp);
          break;
        }
        default:
          fail("invalid escape");
      }
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

const Value* Value::find(const std::string& key) const {
  if (kind != Kind::Object) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &it->second;
}

Value parse(std::string_view text) { return Parser(text).document(); }

}  // namespace clip4j::json
