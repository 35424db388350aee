"""Calculator server for scripts/record-thrift: serves tests/data/thrift/calculator.thrift with
thriftpy2 on four ports, one per protocol/transport pair, until it is stopped.
    server.py IDL HOST"""
import sys
import threading

import thriftpy2
from thriftpy2.rpc import make_server
from thriftpy2.thrift import TApplicationException

from pairs import PAIRS, factories

calc = thriftpy2.load(sys.argv[1], module_name="calculator_thrift")


class Handler:
    def ping(self):
        pass

    def add(self, num1, num2):
        return num1 + num2

    add16 = add
    add64 = add
    add_doubles = add

    def echo_bool(self, b):
        return b

    def echo_string(self, s):
        if s == "fail":
            raise TApplicationException(TApplicationException.INTERNAL_ERROR, "refused")
        return s

    def echo_binary(self, b):
        return b

    def echo_list(self, l):
        return l

    def echo_set(self, s):
        return s

    def echo_map(self, m):
        return m

    def calculate(self, logid, w):
        if w.op == calc.Operation.DIVIDE and w.num2 == 0:
            raise calc.InvalidOperation(whatOp=w.op, why="Cannot divide by 0")
        ops = {
            calc.Operation.ADD: lambda a, b: a + b,
            calc.Operation.SUBTRACT: lambda a, b: a - b,
            calc.Operation.MULTIPLY: lambda a, b: a * b,
            calc.Operation.DIVIDE: lambda a, b: a // b,
        }
        return ops[w.op](w.num1, w.num2)

    def getStruct(self, key):
        return calc.shared.SharedStruct(key=key, value="five")

    def zip(self):
        pass


def serve(port, protocol, transport, strict):
    proto, trans = factories(protocol, transport, strict)
    server = make_server(
        calc.Calculator, Handler(), sys.argv[2], port, proto_factory=proto, trans_factory=trans
    )
    server.serve()


threads = [
    threading.Thread(target=serve, args=pair, daemon=True) for pair in PAIRS
]
for t in threads:
    t.start()
print("serving", flush=True)
for t in threads:
    t.join()
