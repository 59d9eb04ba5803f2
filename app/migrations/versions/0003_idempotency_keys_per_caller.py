"""Idempotency keys are the caller's own: a table keyed by (caller, key).

The old table's primary key is the key alone, and changing a primary key is a contract step, so the
caller-scoped keys get a table of their own. The previous release keeps writing its unscoped keys to
`idempotency_keys` while both slots run; a contract migration drops that table one release later.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
phase = "expand"


def upgrade() -> None:
    op.create_table(
        "caller_idempotency_keys",
        sa.Column("caller", sa.String(255), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(255), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("caller", "key", name=op.f("pk_caller_idempotency_keys")),
    )
    op.create_index(op.f("ix_caller_idempotency_keys_created_at"), "caller_idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_caller_idempotency_keys_created_at"), table_name="caller_idempotency_keys")
    op.drop_table("caller_idempotency_keys")
