# Writes the example TLS 1.2 handshake of the registry (client_hello.bin, server_flight.bin,
# client_finish.bin, server_finish.bin) around example_cert.der, a self-signed P-256
# certificate for example.com made with `openssl req -x509`. Run: python3 gen.py
import struct, sys
import os
out = os.path.dirname(os.path.abspath(__file__))
cert = open(os.path.join(out, 'example_cert.der'), 'rb').read()
def u16(v): return struct.pack('>H', v)
def u24(v): return struct.pack('>I', v)[1:]
def rec(t, p, ver=0x0303): return bytes([t]) + u16(ver) + u16(len(p)) + p
def hsmsg(t, body): return bytes([t]) + u24(len(body)) + body
def ext(t, d): return u16(t) + u16(len(d)) + d
sni = b'example.com'
exts = (ext(0x0a0a, b'') + ext(0, u16(len(sni)+3) + b'\x00' + u16(len(sni)) + sni)
        + ext(10, u16(6) + u16(0x1a1a) + u16(29) + u16(23))
        + ext(11, b'\x01\x00')
        + ext(13, u16(6) + u16(0x0403) + u16(0x0804) + u16(0x0401))
        + ext(16, u16(12) + b'\x02h2\x08http/1.1')
        + ext(35, b'')
        + ext(0xff01, b'\x00'))
ch = (u16(0x0303) + bytes(range(32)) + b'\x00' + u16(8) + u16(0x2a2a) + u16(0xc02b) + u16(0xc02f) + u16(0x009c)
      + b'\x01\x00' + u16(len(exts)) + exts)
client1 = rec(22, hsmsg(1, ch), 0x0301)
sexts = ext(0xff01, b'\x00') + ext(11, b'\x01\x00') + ext(16, u16(3) + b'\x02h2')
sh = u16(0x0303) + bytes(range(32, 64)) + b'\x00' + u16(0xc02b) + b'\x00' + u16(len(sexts)) + sexts
certmsg = hsmsg(11, u24(len(cert) + 3) + u24(len(cert)) + cert)
ske = hsmsg(12, b'\x03' + u16(23) + b'\x41' + b'\x04' + bytes(64) + u16(0x0403) + u16(8) + bytes(8))
shd = hsmsg(14, b'')
# ServerHello and the first half of Certificate in one record, the rest of Certificate,
# ServerKeyExchange and ServerHelloDone in a second: one message spans two records and one
# record holds several messages.
flight = hsmsg(2, sh) + certmsg + ske + shd
cut = len(hsmsg(2, sh)) + 200
server1 = rec(22, flight[:cut]) + rec(22, flight[cut:])
cke = hsmsg(16, b'\x41\x04' + bytes(64))
client2 = rec(22, cke) + rec(20, b'\x01') + rec(22, bytes([0x5a]) * 40)
server2 = rec(20, b'\x01') + rec(22, bytes([0xa5]) * 40)
for name, data in [('client_hello', client1), ('server_flight', server1), ('client_finish', client2), ('server_finish', server2)]:
    open(f'{out}/{name}.bin', 'wb').write(data)
    print(name, len(data))
