"""Real MySQL-protocol client traffic for scripts/record-mysql: the `mariadb` command-line
client (COM_QUERY: DDL, INSERT, SELECT, an error, two statements in one query) and
mysql-connector-python with server-side prepared statements (COM_STMT_PREPARE / EXECUTE /
CLOSE). Writes one JSON line per statement as the client saw it to argv[2]."""

import json
import subprocess
import sys

import mysql.connector

HOST = sys.argv[1]
TRUTH = open(sys.argv[2], "w", encoding="utf-8")


def truth(query, rows=None, affected=None, error=None):
    TRUTH.write(json.dumps({"query": query, "rows": rows, "affected": affected, "error": error}) + "\n")


def cli(sql):
    out = subprocess.run(
        ["mariadb", "-h", HOST, "-u", "app", "-psecret", "--skip-ssl", "-N", "-B", "shop", "-e", sql],
        capture_output=True, text=True, check=False, timeout=20)
    return out.stdout, out.stderr


cli("CREATE TABLE items (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(40))")
truth("CREATE TABLE items (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(40))", affected=0)
cli("INSERT INTO items (name) VALUES ('a'), ('b'), ('c')")
truth("INSERT INTO items (name) VALUES ('a'), ('b'), ('c')", affected=3)
out, _ = cli("SELECT id, name FROM items ORDER BY id")
truth("SELECT id, name FROM items ORDER BY id", rows=len(out.strip().splitlines()))
_, err = cli("SELECT * FROM missing")
assert "1146" in err, err
truth("SELECT * FROM missing", error=1146)
out, _ = cli("UPDATE items SET name = 'z' WHERE id > 1")
truth("UPDATE items SET name = 'z' WHERE id > 1", affected=2)

conn = mysql.connector.connect(host=HOST, user="app", password="secret", database="shop",
                               ssl_disabled=True, use_pure=True)
cur = conn.cursor(prepared=True)
cur.execute("SELECT name FROM items WHERE id = %s", (2,))
truth("SELECT name FROM items WHERE id = ?", rows=len(cur.fetchall()))
cur.execute("INSERT INTO items (name) VALUES (%s)", ("d",))
truth("INSERT INTO items (name) VALUES (?)", affected=cur.rowcount)
conn.commit()
cur.close()
conn.close()
TRUTH.close()
