"""Drives memcached for scripts/record-memcache and writes the truth file.

Text protocol over TCP with pymemcache, binary protocol over TCP with python-binary-memcached
(bmemcached), error replies over a raw TCP socket, and text and binary requests over UDP with
the 8-byte frame header. Each line of the truth file is one expected transaction, in the order
its event must appear within its group (`group`: one connection, or UDP): the command as
Wirebeat prints it, its keys, the status the reply implies, and the reply the client saw.

Usage: client.py SERVER_IP TRUTH_FILE
"""

import json
import socket
import struct
import sys
import time

import bmemcached
from pymemcache.client.base import Client

HOST = sys.argv[1]
TRUTH = open(sys.argv[2], "a", encoding="utf-8")
PORT = 11211


def truth(group, command, keys, status, response=None, **extra):
    entry = {"group": group, "command": command, "keys": keys, "status": status,
             "response": response}
    entry.update(extra)
    TRUTH.write(json.dumps(entry) + "\n")
    TRUTH.flush()


def ok(flag):
    return "OK" if flag else "Error"


# --- text protocol over TCP (pymemcache) -------------------------------------------------
G = "text-tcp"
c = Client((HOST, PORT), default_noreply=False, connect_timeout=5, timeout=5)
truth(G, "set", ["k1"], ok(c.set("k1", b"hello")), "STORED")
got = c.get("k1")
truth(G, "get", ["k1"], "OK", "VALUE", value=got.decode())
c.set("k2", b"x" * 20)
truth(G, "set", ["k2"], "OK", "STORED")
many = c.get_many(["k1", "missing", "k2"])
truth(G, "get", ["k1", "missing", "k2"], "OK", "VALUE", found=sorted(many))
value, cas = c.gets("k1")
truth(G, "gets", ["k1"], "OK", "VALUE", value=value.decode())
truth(G, "cas", ["k1"], ok(c.cas("k1", b"world", cas)), "STORED")
truth(G, "cas", ["k1"], "OK" if c.cas("k1", b"again", cas) is False else "?", "EXISTS")
truth(G, "add", ["k1"], ok(c.add("k1", b"no")), "NOT_STORED")
truth(G, "replace", ["nothere"], ok(c.replace("nothere", b"no")), "NOT_STORED")
truth(G, "append", ["k1"], ok(c.append("k1", b"!")), "STORED")
truth(G, "prepend", ["k1"], ok(c.prepend("k1", b"<")), "STORED")
truth(G, "incr", ["cnt"], ok(c.incr("cnt", 1) is not None), "NOT_FOUND")
c.set("cnt", b"10")
truth(G, "set", ["cnt"], "OK", "STORED")
truth(G, "incr", ["cnt"], "OK", "<counter_op_res>", value=c.incr("cnt", 5))
truth(G, "decr", ["cnt"], "OK", "<counter_op_res>", value=c.decr("cnt", 3))
truth(G, "touch", ["k1"], ok(c.touch("k1", 60)), "TOCHED")
blob = bytes(range(256)) * 80  # 20480 bytes: many segments each way
c.set("blob", blob)
truth(G, "set", ["blob"], "OK", "STORED", bytes=len(blob))
got = c.get("blob")
truth(G, "get", ["blob"], "OK" if got == blob else "?", "VALUE", bytes=len(got))
c.set("quiet", b"q", noreply=True)
truth(G, "set", ["quiet"], "OK", None, noreply=True)
truth(G, "delete", ["k2"], ok(c.delete("k2")), "DELETED")
truth(G, "delete", ["k2"], ok(c.delete("k2", noreply=False)), "NOT_FOUND")
stats = c.stats()
pid = stats[b"pid"]
truth(G, "stats", None, "OK", "STAT", pid=pid.decode() if isinstance(pid, bytes) else str(pid))
c.stats("slabs")
truth(G, "stats", None, "OK", "STAT", raw_args="slabs")
truth(G, "version", None, "OK", "VERSION", version=c.version().decode())
c.quit()
truth(G, "quit", None, "OK", None)

# --- error replies over a raw TCP socket -------------------------------------------------
G = "text-raw"
s = socket.create_connection((HOST, PORT), timeout=5)


def raw(line):
    s.sendall(line)
    reply = b""
    while not reply.endswith(b"\r\n"):
        reply += s.recv(4096)
    return reply.decode().strip()


reply = raw(b"get " + b"k" * 300 + b"\r\n")
truth(G, "get", ["k" * 300], "Client Error", "CLIENT_ERROR", error_msg=reply.split(" ", 1)[1])
truth(G, "verbosity", None, "OK" if raw(b"verbosity 1\r\n") == "OK" else "?", "OK")
truth(G, "flush_all", None, "OK" if raw(b"flush_all 0\r\n") == "OK" else "?", "OK")
s.close()

# --- binary protocol over TCP (bmemcached) -----------------------------------------------
G = "binary-tcp"
b = bmemcached.Client([f"{HOST}:{PORT}"])
truth(G, "Set", ["b1"], ok(b.set("b1", "one")), "Set")
truth(G, "Get", ["b1"], "OK" if b.get("b1") == "one" else "?", "Get")
truth(G, "Get", ["gone"], "Error" if b.get("gone") is None else "?", "Get")
b.set("b2", "two")
truth(G, "Set", ["b2"], "OK", "Set")
many = b.get_multi(["b1", "gone", "b2"])
# get_multi: GetKQ for all keys but the last, then GetK; the quiet miss has no reply.
truth(G, "GetKQ", ["b1"], "OK", "GetKQ")
truth(G, "GetKQ", ["gone"], "OK", None)
truth(G, "GetK", ["b2"], "OK" if sorted(many) == ["b1", "b2"] else "?", "GetK")
truth(G, "Add", ["b1"], ok(b.add("b1", "x")), "Add")
truth(G, "Replace", ["gone"], ok(b.replace("gone", "x")), "Replace")
b.set("bcnt", 7)
truth(G, "Set", ["bcnt"], "OK", "Set")
truth(G, "Increment", ["bcnt"], "OK", "Increment", value=b.incr("bcnt", 5))
truth(G, "Decrement", ["bcnt"], "OK", "Decrement", value=b.decr("bcnt", 2))
truth(G, "Delete", ["b1"], ok(b.delete("b1")), "Delete")
stats = b.stats()
pid = next(iter(stats.values()))["pid"]
pid = pid.decode() if isinstance(pid, bytes) else str(pid)
truth(G, "Stat", None, "OK", "Stat", pid=pid)
b.disconnect_all()

# --- UDP: frame header + text or binary requests -----------------------------------------
G = "udp"
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(1.0)
u.connect((HOST, PORT))


def udp(req_id, payload, expect_reply=True):
    u.send(struct.pack(">HHHH", req_id, 0, 1, 0) + payload)
    if not expect_reply:
        time.sleep(0.4)  # longer than the test's udptransactiontimeout
        return None
    parts, total = {}, None
    while total is None or len(parts) < total:
        data = u.recv(65536)
        rid, seq, count, _ = struct.unpack(">HHHH", data[:8])
        if rid == req_id:
            parts[seq], total = data[8:], count
    return b"".join(parts[i] for i in sorted(parts)), total


udp(1, b"set u1 0 0 5 noreply\r\nhello\r\n", expect_reply=False)
truth(G, "set", ["u1"], "OK", None, noreply=True)
reply, _ = udp(2, b"get u1\r\n")
truth(G, "get", ["u1"], "OK" if b"hello" in reply else "?", "VALUE")
reply, _ = udp(3, b"incr nope 1\r\n")
truth(G, "incr", ["nope"], "Error" if reply == b"NOT_FOUND\r\n" else "?", "NOT_FOUND")
c = Client((HOST, PORT), default_noreply=False, connect_timeout=5, timeout=5)
c.set("ubig", b"z" * 3000)
c.quit()
truth("text-tcp-2", "set", ["ubig"], "OK", "STORED")
truth("text-tcp-2", "quit", None, "OK", None)
reply, datagrams = udp(4, b"get ubig\r\n")
truth(G, "get", ["ubig"], "OK" if reply.count(b"z") == 3000 else "?", "VALUE",
      datagrams=datagrams)
getk = struct.pack(">BBHBBHIIQ", 0x80, 0x0C, 2, 0, 0, 0, 2, 0x11223344, 0) + b"u1"
reply, _ = udp(5, getk)
truth(G, "GetK", ["u1"], "OK" if reply[6:8] == b"\0\0" else "Error", "GetK", opaque=0x11223344)
u.close()
TRUTH.close()
