"""Calculator client for scripts/record-thrift: makes the same calls on every port of
pairs.PAIRS (one connection per port) and prints one JSON line per call: port, method, the
arguments and result as Packetbeat renders them, the exception raised, and whether the call
was one-way.
    client.py IDL HOST"""
import json
import sys

import thriftpy2
from thriftpy2.rpc import make_client
from thriftpy2.thrift import TApplicationException

from pairs import PAIRS, factories

calc = thriftpy2.load(sys.argv[1], module_name="calculator_thrift")
W = calc.Work


def calls():
    """(method, args, rendered params, rendered return value)."""
    div0 = W(num1=1, num2=0, op=calc.Operation.DIVIDE)
    sub = W(num1=15, num2=10, op=calc.Operation.SUBTRACT)
    return [
        ("ping", (), "()", ""),
        ("add", (1, 1), "(num1: 1, num2: 1)", "2"),
        ("add16", (300, -5), "(num1: 300, num2: -5)", "295"),
        ("add64", (1 << 40, 2), "(num1: 1099511627776, num2: 2)", "1099511627778"),
        ("add_doubles", (1.5, 2.25), "(num1: 1.5, num2: 2.25)", "3.75"),
        ("echo_bool", (True,), "(b: true)", "true"),
        ("echo_string", ("hello \"world\"",), '(s: "hello \\"world\\"")', '"hello \\"world\\""'),
        ("echo_binary", (b"\xab\x0c\x1d",), "(b: ab0c1d)", "ab0c1d"),
        ("echo_list", ([1, 2, 3],), "(l: [1, 2, 3])", "[1, 2, 3]"),
        ("echo_list", ([],), "(l: )", ""),
        ("echo_map", ({"a": 1},), '(m: {"a": 1})', '{"a": 1}'),
        ("calculate", (1, div0), "(logid: 1, w: (1: 1, 2: 0, 3: 4))", None),
        ("calculate", (2, sub), "(logid: 2, w: (1: 15, 2: 10, 3: 2))", "5"),
        ("getStruct", (7,), "(key: 7)", '(1: 7, 2: "five")'),
        ("echo_string", ("fail",), '(s: "fail")', None),
        ("zip", (), "()", None),
        ("ping", (), "()", ""),
    ]


for port, protocol, transport, strict in PAIRS:
    proto, trans = factories(protocol, transport, strict)
    client = make_client(
        calc.Calculator, sys.argv[2], port, proto_factory=proto, trans_factory=trans, timeout=5000
    )
    for method, args, params, rendered in calls():
        line = {
            "port": port,
            "method": method,
            "params": params,
            "return_value": rendered,
            "exception": None,
            "oneway": method == "zip",
        }
        try:
            getattr(client, method)(*args)
        except calc.InvalidOperation as e:
            line["exception"] = "InvalidOperation"
            line["exceptions"] = '(ouch: (1: %d, 2: "%s"))' % (e.whatOp, e.why)
        except TApplicationException as e:
            line["exception"] = "TApplicationException"
            line["exceptions"] = '(1: "%s", 2: %d)' % (e.message, e.type)
        print(json.dumps(line), flush=True)
    client.close()
