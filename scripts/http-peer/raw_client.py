"""Raw-socket HTTP clients for scripts/record-http: what curl will not do on its own
(pipelining in one write, a chunked request with an extension and a trailer, HTTP/1.0)."""
import socket
import sys
import time

HOST = sys.argv[1]


def exchange(port, payload, answers, close_after=False):
    s = socket.create_connection((HOST, port), timeout=10)
    s.sendall(payload)
    data = b""
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            part = s.recv(65536)
        except socket.timeout:
            break
        if not part:
            break
        data += part
        if not close_after and data.count(b"HTTP/1.1 ") >= answers and data.endswith(b"/p3") or (
            not close_after and answers == 1 and b"stored" in data
        ):
            break
    s.close()
    return data


# Three requests in one write (pipelining).
exchange(8080, b"".join(
    b"GET /p%d HTTP/1.1\r\nHost: %s:8080\r\n\r\n" % (i, HOST.encode()) for i in (1, 2, 3)), 3)
# Chunked request body with a chunk extension and a trailer.
exchange(8080, b"POST /upload HTTP/1.1\r\nHost: %s:8080\r\nTransfer-Encoding: chunked\r\n\r\n"
         b"5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 42\r\n\r\n" % HOST.encode(), 1)
# HTTP/1.0, body delimited by close.
exchange(8000, b"GET /old HTTP/1.0\r\n\r\n", 1, close_after=True)
