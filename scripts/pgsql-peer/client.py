"""Real PostgreSQL client traffic for scripts/record-pgsql: psql (simple query protocol) and
psycopg 3 (extended protocol: Parse/Bind/Execute/Sync, a named prepared statement and a
pipelined executemany). Writes one JSON line per statement the server executed or refused,
as the client saw it, to the truth file given as argv[2]."""

import json
import subprocess
import sys

import psycopg

HOST = sys.argv[1]
TRUTH = open(sys.argv[2], "w", encoding="utf-8")


def truth(query, rows=None, error=None):
    TRUTH.write(json.dumps({"query": query, "rows": rows, "error": error}) + "\n")


def psql(sql):
    """One psql -c call (one connection, one simple Query message)."""
    out = subprocess.run(
        ["psql", "-h", HOST, "-U", "postgres", "-d", "postgres", "-X", "-A", "-t",
         "-v", "ON_ERROR_STOP=0", "-c", sql],
        capture_output=True, text=True, check=False, timeout=20)
    return out.stdout, out.stderr


psql("CREATE TABLE items (id int PRIMARY KEY, name text)")
truth("CREATE TABLE items (id int PRIMARY KEY, name text)")
psql("INSERT INTO items VALUES (1, 'a'), (2, 'b;c')")
truth("INSERT INTO items VALUES (1, 'a'), (2, 'b;c')")
out, _ = psql("SELECT * FROM items ORDER BY id")
truth("SELECT * FROM items ORDER BY id", rows=len(out.strip().splitlines()))
_, err = psql("INSERT INTO items VALUES (1, 'dup')")
assert "duplicate key" in err, err
truth("INSERT INTO items VALUES (1, 'dup')", error="23505")
# One Query message, three statements: the second fails, the third is never executed.
_, err = psql("SELECT 1; SELECT 2/0; SELECT 3")
assert "division by zero" in err, err
truth("SELECT 1", rows=1)
truth("SELECT 2/0", error="22012")

with psycopg.connect(host=HOST, user="postgres", dbname="postgres", autocommit=True) as conn:
    cur = conn.execute("SELECT name FROM items WHERE id = %s", (2,))
    truth("SELECT name FROM items WHERE id = $1", rows=len(cur.fetchall()))
    cur = conn.cursor()
    cur.executemany("INSERT INTO items VALUES (%s, %s)", [(3, "x"), (4, "y")])
    truth("INSERT INTO items VALUES ($1, $2)")
    truth("INSERT INTO items VALUES ($1, $2)")
    cur = conn.execute("SELECT count(*) FROM items WHERE id > %s", (0,), prepare=True)
    truth("SELECT count(*) FROM items WHERE id > $1", rows=len(cur.fetchall()))
    try:
        conn.execute("SELECT * FROM missing_table WHERE id = %s", (1,))
    except psycopg.errors.UndefinedTable:
        truth("SELECT * FROM missing_table WHERE id = $1", error="42P01")
TRUTH.close()
