// A calculator service with one method per Thrift type, as used by the tutorial captures
// and by scripts/record-thrift (written for Wirebeat's tests).

include "shared.thrift"

namespace py calculator

typedef i32 MyInteger

const i32 INT32CONSTANT = 9853
const map<string, string> MAPCONSTANT = {'hello': 'world', 'goodnight': 'moon'}

enum Operation {
  ADD = 1,
  SUBTRACT = 2,
  MULTIPLY = 3,
  DIVIDE = 4
}

struct Work {
  1: i32 num1 = 0,
  2: i32 num2,
  3: Operation op,
  4: optional string comment,
}

exception InvalidOperation {
  1: i32 whatOp,
  2: string why
}

service Calculator extends shared.SharedService {
  void ping(),
  i32 add(1: i32 num1, 2: i32 num2),
  i16 add16(1: i16 num1, 2: i16 num2),
  i64 add64(1: i64 num1, 2: i64 num2),
  double add_doubles(1: double num1, 2: double num2),
  bool echo_bool(1: bool b),
  string echo_string(1: string s),
  binary echo_binary(1: binary b),
  list<i16> echo_list(1: list<i16> l),
  set<i16> echo_set(1: set<i16> s),
  map<string, i16> echo_map(1: map<string, i16> m),
  i32 calculate(1: i32 logid, 2: Work w) throws (1: InvalidOperation ouch),
  oneway void zip()
}
