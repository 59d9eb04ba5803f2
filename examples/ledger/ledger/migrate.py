"""`python -m ledger.migrate`: the table and the app's login, once per release, before traffic moves.

As the database's master user (its RDS-managed secret): the app's role logs in with its secret's
password and may only read and write the rows. Every instance runs this (relay.yaml's app.migrate):
an advisory lock makes the others wait, then find nothing to do. A read replica (a standby region) is
left alone: it gets all of this from its primary.
"""

from __future__ import annotations

from psycopg import sql

from ledger import settings

LOCK_KEY = 0x1ED6E2  # this service's advisory lock


def main() -> None:
    config = settings.parameters()
    app_user, app_password = settings.login(config["DATABASE_SECRET_ARN"])
    with settings.connect(config, "DATABASE_MASTER_SECRET_ARN") as master:
        if master.execute("SELECT pg_is_in_recovery()").fetchone() == (True,):
            print("ledger.migrate: a read replica; nothing to do")
            return
        master.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        exists = master.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (app_user,)).fetchone()
        verb = sql.SQL("ALTER ROLE" if exists else "CREATE ROLE")
        master.execute(
            sql.SQL("{} {} LOGIN PASSWORD {}").format(
                verb, sql.Identifier(app_user), sql.Literal(app_password)
            )
        )
        master.execute(
            "CREATE TABLE IF NOT EXISTS entries ("
            " id bigserial PRIMARY KEY, memo text NOT NULL, amount_cents bigint NOT NULL,"
            " created_at timestamptz NOT NULL DEFAULT now())"
        )
        user = sql.Identifier(app_user)
        master.execute(sql.SQL("GRANT SELECT, INSERT ON entries TO {}").format(user))
        master.execute(sql.SQL("GRANT USAGE ON SEQUENCE entries_id_seq TO {}").format(user))
        master.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
    print("ledger.migrate: table entries and the app's login are in place")


if __name__ == "__main__":
    main()
