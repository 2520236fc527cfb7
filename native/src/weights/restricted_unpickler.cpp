#include "restricted_unpickler.h"

#include <ATen/ATen.h>

#include <cstring>
#include <limits>
#include <unordered_map>

#include "common/errors.h"

namespace clip4j::pickle {
namespace {

constexpr size_t kMaxMemo = 1 << 24;
constexpr size_t kMaxStack = 1 << 24;

// torch.save names storages by their legacy typed class.
const std::map<std::string, at::ScalarType>& storage_types() {
  static const std::map<std::string, at::ScalarType> types = {
      {"torch.FloatStorage", at::kFloat},       {"torch.HalfStorage", at::kHalf},
      {"torch.BFloat16Storage", at::kBFloat16}, {"torch.DoubleStorage", at::kDouble},
      {"torch.LongStorage", at::kLong},         {"torch.IntStorage", at::kInt},
      {"torch.ShortStorage", at::kShort},       {"torch.CharStorage", at::kChar},
      {"torch.ByteStorage", at::kByte},         {"torch.BoolStorage", at::kBool},
  };
  return types;
}

// TorchScript's pickler wraps typed containers in these; each returns its first argument.
bool is_torchscript_identity(const std::string& name) {
  return name == "torch.jit._pickle.restore_type_tag" ||
         name == "torch.jit._pickle.build_intlist" ||
         name == "torch.jit._pickle.build_tensorlist" ||
         name == "torch.jit._pickle.build_doublelist" || name == "torch.jit._pickle.build_boollist";
}

bool is_allowed_global(const std::string& name, Dialect dialect) {
  if (name == "collections.OrderedDict" || name == "torch._utils._rebuild_tensor_v2" ||
      name == "torch._utils._rebuild_parameter" || storage_types().count(name) != 0) {
    return true;
  }
  return dialect == Dialect::TorchScript &&
         (name.rfind("__torch__.", 0) == 0 || is_torchscript_identity(name));
}

ValuePtr make(Value::Kind kind) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  return v;
}

class Reader {
 public:
  Reader(const uint8_t* data, size_t size, const StorageLoader& loader, Dialect dialect)
      : data_(data), size_(size), loader_(loader), dialect_(dialect) {}

  ValuePtr run() {
    for (;;) {
      const uint8_t op = byte();
      switch (op) {
        case 0x80:
          byte();
          break;  // PROTO
        case 0x95:
          bytes(8);
          break;  // FRAME
        case '.':
          return finish();  // STOP
        case '(':
          marks_.push_back(stack_.size());
          break;  // MARK
        case '}':
          push(make(Value::Kind::Dict));
          break;
        case ']':
          push(make(Value::Kind::List));
          break;
        case ')':
          push(make(Value::Kind::Tuple));
          break;
        case 'N':
          push(make(Value::Kind::None));
          break;
        case 0x88:
          push(boolean(true));
          break;
        case 0x89:
          push(boolean(false));
          break;
        case 't':
          push(tuple(pop_mark()));
          break;
        case 0x85:
          push(tuple(pop_n(1)));
          break;
        case 0x86:
          push(tuple(pop_n(2)));
          break;
        case 0x87:
          push(tuple(pop_n(3)));
          break;
        case 'a': {
          ValuePtr v = pop();
          list_target()->items.push_back(v);
          break;
        }
        case 'e': {
          auto items = pop_mark();
          auto& l = list_target()->items;
          l.insert(l.end(), items.begin(), items.end());
          break;
        }
        case 's': {
          ValuePtr v = pop();
          ValuePtr k = pop();
          dict_target()->entries.emplace_back(k, v);
          break;
        }
        case 'u': {
          auto items = pop_mark();
          if (items.size() % 2 != 0) fail("SETITEMS with an odd number of items");
          ValuePtr d = dict_target();
          for (size_t i = 0; i < items.size(); i += 2)
            d->entries.emplace_back(items[i], items[i + 1]);
          break;
        }
        case 0x8f:
          push(make(Value::Kind::List));
          break;  // EMPTY_SET, held as a list
        case 0x90: {
          auto items = pop_mark();
          auto& l = list_target()->items;
          l.insert(l.end(), items.begin(), items.end());
          break;
        }
        case 'q':
          memo_put(byte());
          break;
        case 'r':
          memo_put(u32());
          break;
        case 0x94:
          memo_put(memo_.size());
          break;  // MEMOIZE
        case 'h':
          push(memo_get(byte()));
          break;
        case 'j':
          push(memo_get(u32()));
          break;
        case 'J':
          push(integer(int32_t(u32())));
          break;
        case 'K':
          push(integer(byte()));
          break;
        case 'M':
          push(integer(u16()));
          break;
        case 0x8a:
          push(long1());
          break;
        case 'G':
          push(float8());
          break;
        case 'X':
          push(string(u32(), Value::Kind::String));
          break;
        case 0x8c:
          push(string(byte(), Value::Kind::String));
          break;
        case 0x8d:
          push(string(u64(), Value::Kind::String));
          break;
        case 'T':
          push(string(u32(), Value::Kind::Bytes));
          break;
        case 'U':
          push(string(byte(), Value::Kind::Bytes));
          break;
        case 'B':
          push(string(u32(), Value::Kind::Bytes));
          break;
        case 'C':
          push(string(byte(), Value::Kind::Bytes));
          break;
        case 0x8e:
          push(string(u64(), Value::Kind::Bytes));
          break;
        case 'c': {
          const std::string module = line();
          const std::string name = line();
          push(global(module + "." + name));
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          ValuePtr name = pop();
          ValuePtr module = pop();
          if (name->kind != Value::Kind::String || module->kind != Value::Kind::String)
            fail("STACK_GLOBAL needs strings");
          push(global(module->text + "." + name->text));
          break;
        }
        case 'R': {
          ValuePtr args = pop();
          ValuePtr callable = pop();
          push(reduce(callable, args));
          break;
        }
        case 'b':  // BUILD
          build(pop());
          break;
        case 0x81: {  // NEWOBJ
          ValuePtr args = pop();
          push(new_object(pop(), args));
          break;
        }
        case 'Q':
          push(persistent_load(pop()));
          break;  // BINPERSID
        default:
          fail("unsupported pickle opcode 0x" + hex(op) + " (only state dicts are read)");
      }
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw CheckpointError("torch archive pickle at byte " + std::to_string(pos_) + ": " + what);
  }

  static std::string hex(uint8_t v) {
    const char* digits = "0123456789abcdef";
    return std::string{digits[v >> 4], digits[v & 15]};
  }

  uint8_t byte() {
    if (pos_ >= size_) fail("unexpected end of pickle");
    return data_[pos_++];
  }

  const uint8_t* bytes(uint64_t n) {
    if (n > size_ - pos_) fail("unexpected end of pickle");
    const uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }

  uint16_t u16() {
    const uint8_t* p = bytes(2);
    return uint16_t(p[0] | (p[1] << 8));
  }
  uint32_t u32() {
    const uint8_t* p = bytes(4);
    return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
  }
  uint64_t u64() {
    const uint64_t lo = u32();
    return lo | (uint64_t(u32()) << 32);
  }

  std::string line() {
    std::string out;
    for (;;) {
      const char c = char(byte());
      if (c == '\n') return out;
      if (out.size() > 256) fail("global name too long");
      out += c;
    }
  }

  void push(ValuePtr v) {
    if (stack_.size() >= kMaxStack) fail("pickle stack too deep");
    stack_.push_back(std::move(v));
  }

  ValuePtr pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
      fail("pickle stack underflow");
    ValuePtr v = stack_.back();
    stack_.pop_back();
    return v;
  }

  std::vector<ValuePtr> pop_n(size_t n) {
    std::vector<ValuePtr> out(n);
    for (size_t i = n; i > 0; i--) out[i - 1] = pop();
    return out;
  }

  std::vector<ValuePtr> pop_mark() {
    if (marks_.empty()) fail("no MARK on the stack");
    const size_t mark = marks_.back();
    marks_.pop_back();
    if (mark > stack_.size()) fail("corrupt MARK");
    std::vector<ValuePtr> out(stack_.begin() + long(mark), stack_.end());
    stack_.resize(mark);
    return out;
  }

  ValuePtr top() {
    if (stack_.empty()) fail("pickle stack underflow");
    return stack_.back();
  }

  ValuePtr list_target() {
    ValuePtr t = top();
    if (t->kind != Value::Kind::List) fail("APPEND to something that is not a list");
    return t;
  }

  ValuePtr dict_target() {
    ValuePtr t = top();
    if (t->kind != Value::Kind::Dict) fail("SETITEM on something that is not a dict");
    return t;
  }

  void memo_put(size_t index) {
    if (index >= kMaxMemo) fail("memo index too large");
    memo_[index] = top();
  }

  ValuePtr memo_get(size_t index) {
    const auto it = memo_.find(index);
    if (it == memo_.end()) fail("memo entry " + std::to_string(index) + " is not set");
    return it->second;
  }

  static ValuePtr boolean(bool b) {
    auto v = make(Value::Kind::Bool);
    v->boolean = b;
    return v;
  }
  static ValuePtr integer(int64_t i) {
    auto v = make(Value::Kind::Int);
    v->integer = i;
    return v;
  }

  static ValuePtr tuple(std::vector<ValuePtr> items) {
    auto v = make(Value::Kind::Tuple);
    v->items = std::move(items);
    return v;
  }

  ValuePtr long1() {
    const uint8_t n = byte();
    if (n > 8) fail("integer wider than 64 bits");
    const uint8_t* p = bytes(n);
    uint64_t u = 0;
    for (int i = n - 1; i >= 0; i--) u = (u << 8) | p[i];
    if (n > 0 && n < 8 && (p[n - 1] & 0x80)) u |= ~uint64_t(0) << (8 * n);  // sign-extend
    return integer(int64_t(u));
  }

  ValuePtr float8() {
    const uint8_t* p = bytes(8);
    uint64_t u = 0;
    for (int i = 0; i < 8; i++) u = (u << 8) | p[i];  // big-endian
    double d;
    std::memcpy(&d, &u, 8);
    auto v = make(Value::Kind::Float);
    v->real = d;
    return v;
  }

  ValuePtr string(uint64_t n, Value::Kind kind) {
    const uint8_t* p = bytes(n);
    auto v = make(kind);
    v->text.assign(reinterpret_cast<const char*>(p), n);
    return v;
  }

  // BUILD: a TorchScript module takes its attribute dict; other objects' state is not needed.
  void build(const ValuePtr& state) {
    ValuePtr target = top();
    if (target->kind != Value::Kind::Object) return;
    if (state->kind != Value::Kind::Dict) fail("TorchScript object state is not a dict");
    for (const auto& [key, value] : state->entries) {
      if (key->kind != Value::Kind::String) fail("TorchScript attribute name is not a string");
      target->entries.emplace_back(key, value);
    }
  }

  ValuePtr new_object(const ValuePtr& cls, const ValuePtr& args) {
    if (cls->kind != Value::Kind::Global || cls->text.rfind("__torch__.", 0) != 0) {
      fail("NEWOBJ of something that is not a TorchScript class");
    }
    if (args->kind != Value::Kind::Tuple || !args->items.empty()) fail("NEWOBJ with arguments");
    auto v = make(Value::Kind::Object);
    v->text = cls->text;
    return v;
  }

  ValuePtr global(const std::string& name) {
    if (!is_allowed_global(name, dialect_)) {
      fail("refusing Python global '" + name +
           "': a weights file needs only tensors and containers");
    }
    auto v = make(Value::Kind::Global);
    v->text = name;
    return v;
  }

  static int64_t as_int(const ValuePtr& v, const char* what) {
    if (v->kind == Value::Kind::Int) return v->integer;
    if (v->kind == Value::Kind::Bool) return v->boolean;
    throw CheckpointError(std::string("torch archive: ") + what + " is not an integer");
  }

  std::vector<int64_t> int_tuple(const ValuePtr& v, const char* what) {
    if (v->kind != Value::Kind::Tuple) fail(std::string(what) + " is not a tuple");
    std::vector<int64_t> out;
    for (const auto& item : v->items) {
      const int64_t x = as_int(item, what);
      if (x < 0) fail(std::string(what) + " has a negative entry");
      out.push_back(x);
    }
    return out;
  }

  ValuePtr reduce(const ValuePtr& callable, const ValuePtr& args) {
    if (callable->kind != Value::Kind::Global)
      fail("REDUCE of something that is not an allowed global");
    if (args->kind != Value::Kind::Tuple) fail("REDUCE arguments are not a tuple");
    const std::string& name = callable->text;
    if (name == "collections.OrderedDict") return make(Value::Kind::Dict);
    if (name == "torch._utils._rebuild_parameter") {
      if (args->items.empty() || args->items[0]->kind != Value::Kind::Tensor)
        fail("_rebuild_parameter without a tensor");
      return args->items[0];
    }
    if (name == "torch._utils._rebuild_tensor_v2") return rebuild_tensor(args->items);
    if (is_torchscript_identity(name) && !args->items.empty()) return args->items[0];
    fail("'" + name + "' cannot be called");
  }

  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[,
  // metadata])
  ValuePtr rebuild_tensor(const std::vector<ValuePtr>& a) {
    if (a.size() < 4 || a[0]->kind != Value::Kind::Storage)
      fail("malformed _rebuild_tensor_v2 call");
    const at::Tensor& storage = a[0]->tensor;
    const int64_t offset = as_int(a[1], "storage offset");
    const std::vector<int64_t> sizes = int_tuple(a[2], "tensor size");
    const std::vector<int64_t> strides = int_tuple(a[3], "tensor stride");
    if (sizes.size() != strides.size()) fail("tensor size and stride differ in length");
    // The last element the view touches must lie inside the storage.
    int64_t last = offset;
    bool empty = false;
    for (size_t i = 0; i < sizes.size(); i++) {
      if (sizes[i] == 0)
        empty = true;
      else if (sizes[i] - 1 > 0 &&
               strides[i] > (std::numeric_limits<int64_t>::max() - last) / (sizes[i] - 1))
        fail("tensor view overflows");
      else
        last += (sizes[i] - 1) * strides[i];
    }
    if (offset < 0 || (!empty && last >= storage.numel())) {
      fail("tensor view reaches past its storage of " + std::to_string(storage.numel()) +
           " elements");
    }
    auto v = make(Value::Kind::Tensor);
    v->tensor =
        empty ? at::empty(sizes, storage.options()) : storage.as_strided(sizes, strides, offset);
    return v;
  }

  // ('storage', storage_type, key, location, numel)
  ValuePtr persistent_load(const ValuePtr& pid) {
    if (pid->kind != Value::Kind::Tuple || pid->items.size() < 5 ||
        pid->items[0]->text != "storage" || pid->items[1]->kind != Value::Kind::Global ||
        pid->items[2]->kind != Value::Kind::String) {
      fail("unsupported persistent id (only tensor storages are read)");
    }
    const auto type = storage_types().find(pid->items[1]->text);
    if (type == storage_types().end()) fail("unsupported storage type " + pid->items[1]->text);
    const std::string& key = pid->items[2]->text;
    const int64_t numel = as_int(pid->items[4], "storage size");
    if (numel < 0) fail("negative storage size");
    auto it = storages_.find(key);
    if (it == storages_.end()) {
      auto v = make(Value::Kind::Storage);
      v->tensor = loader_(key, type->second, numel);
      it = storages_.emplace(key, v).first;
    }
    return it->second;
  }

  ValuePtr finish() {
    if (stack_.size() != 1)
      fail("pickle ended with " + std::to_string(stack_.size()) + " values on the stack");
    return stack_.back();
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const StorageLoader& loader_;
  Dialect dialect_;
  std::vector<ValuePtr> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<size_t, ValuePtr> memo_;
  std::map<std::string, ValuePtr> storages_;
};

}  // namespace

ValuePtr unpickle(const uint8_t* data, size_t size, const StorageLoader& load_storage,
                  Dialect dialect) {
  return Reader(data, size, load_storage, dialect).run();
}

}  // namespace clip4j::pickle
