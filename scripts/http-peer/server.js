// Real HTTP/1.1 server for scripts/record-http (Node's own http module), plus a raw HTTP/1.0
// server that delimits its body by closing the connection. Every answered request is logged
// as one JSON line to the file given as argv[2]: what the server received and sent.
'use strict';
const http = require('http');
const net = require('net');
const zlib = require('zlib');
const fs = require('fs');

const [, , logPath, host4, host6] = process.argv;
const log = (o) => fs.appendFileSync(logPath, JSON.stringify(o) + '\n');
const page = '<html><body>' + 'Wirebeat test page. '.repeat(20) + '</body></html>';
const large = Buffer.alloc(100 * 1024, 0).map((_, i) => 97 + (i % 26));

function handle(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const reqBody = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://x');
    let status = 200;
    let body = Buffer.alloc(0);
    const headers = {};
    let chunked = false;
    switch (url.pathname) {
      case '/index.html': case '/p1': case '/p2': case '/p3': case '/search': case '/private':
      case '/forwarded': case '/v6':
        headers['Content-Type'] = 'text/html';
        body = Buffer.from(page + url.pathname);
        break;
      case '/missing': status = 404; body = Buffer.from('not here'); break;
      case '/boom': status = 500; body = Buffer.from('internal error'); break;
      case '/chunked': chunked = true; break;
      case '/gzip':
        headers['Content-Type'] = 'text/plain';
        headers['Content-Encoding'] = 'gzip';
        body = zlib.gzipSync(Buffer.from('compressible text '.repeat(200)));
        break;
      case '/large': headers['Content-Type'] = 'application/octet-stream'; body = large; break;
      case '/login': headers['Content-Type'] = 'text/plain'; body = Buffer.from('welcome'); break;
      case '/items': status = 201; headers['Content-Type'] = 'application/json'; body = Buffer.from('{"id":1}'); break;
      case '/empty': status = 204; break;
      case '/cached': status = 304; break;
      case '/upload': body = Buffer.from('stored ' + reqBody.length); break;
      default: status = 404; body = Buffer.from('?');
    }
    let sent = 0;
    if (chunked) {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
      for (const part of ['first chunk ', 'second chunk ', 'third and last chunk']) {
        res.write(part);
        sent += part.length;
      }
      res.end();
    } else {
      if (status !== 204 && status !== 304) headers['Content-Length'] = body.length;
      res.writeHead(status, headers);
      const withBody = req.method !== 'HEAD' && status !== 204 && status !== 304;
      if (withBody) sent = body.length;
      res.end(withBody ? body : undefined);
    }
    log({ port: req.socket.remotePort, method: req.method, path: url.pathname,
          query: url.search ? url.search.slice(1) : null, status,
          request_body_bytes: reqBody.length, response_body_bytes: sent });
  });
}

const servers = [http.createServer(handle), http.createServer(handle)];
servers[0].listen(8080, host4);
servers[1].listen(8080, host6);
// HTTP/1.0 without Content-Length: the body ends when the server closes.
const raw = net.createServer((sock) => {
  let buf = '';
  sock.on('data', (d) => {
    buf += d;
    if (!buf.includes('\r\n\r\n')) return;
    const [method, target] = buf.split(' ');
    const body = 'old style body '.repeat(30);
    sock.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n' + body);
    log({ port: sock.remotePort, method, path: target, query: null, status: 200,
          request_body_bytes: 0, response_body_bytes: body.length });
  });
});
raw.listen(8000, host4);
setTimeout(() => process.exit(0), 60000).unref();
