// Interface of the base service the calculator extends (written for Wirebeat's tests from
// the method names, field ids and types seen in the captures).

namespace py shared

struct SharedStruct {
  1: i32 key
  2: string value
}

service SharedService {
  SharedStruct getStruct(1: i32 key)
}
