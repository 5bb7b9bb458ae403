import psycopg2
from psycopg2 import sql


class UserRepository:
    def __init__(self, dsn):
        self.conn = psycopg2.connect(dsn)

    def find_by_name(self, name):
        with self.conn.cursor() as cur:
            cur.execute("SELECT * FROM users WHERE name = '%s'" % name)  # expect: sql_injection
            return cur.fetchall()

    def find_by_email(self, email):
        with self.conn.cursor() as cur:
            cur.execute("SELECT * FROM users WHERE email = %s", (email,))
            return cur.fetchone()

    def sorted_users(self, column):
        with self.conn.cursor() as cur:
            cur.execute(sql.SQL("SELECT * FROM users ORDER BY {}").format(sql.Identifier(column)))
            return cur.fetchall()

    def search(self, term, status):
        where = f"name LIKE '%{term}%'"
        if status:
            where += f" AND status = '{status}'"
        with self.conn.cursor() as cur:
            cur.execute("SELECT id FROM users WHERE " + where)  # expect: sql_injection
            return cur.fetchall()

    def count(self, table="users"):
        with self.conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM users")
            return cur.fetchone()[0]
