from sqlalchemy import MetaData, Table, create_engine, select, text

engine = create_engine("sqlite:///data.db")
metadata = MetaData()
users = Table("users", metadata, autoload_with=engine)


def user_by_id(user_id: int):
    with engine.connect() as conn:
        return conn.execute(select(users).where(users.c.id == user_id)).first()


def users_by_domain(domain: str):
    with engine.connect() as conn:
        stmt = "SELECT * FROM users WHERE email LIKE '%@" + domain + "'"
        return conn.execute(text(stmt)).fetchall()  # expect: sql_injection


def users_in(ids: list[int]):
    with engine.connect() as conn:
        marks = ",".join(":p%d" % i for i in range(len(ids)))
        params = {"p%d" % i: v for i, v in enumerate(ids)}
        return conn.execute(text(f"SELECT * FROM users WHERE id IN ({marks})"), params).fetchall()


def delete_older_than(days: int):
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM sessions WHERE created < date('now', :d)"), {"d": f"-{days} days"}
        )


def table_size(table_name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table_name}")).scalar()  # expect: sql_injection
