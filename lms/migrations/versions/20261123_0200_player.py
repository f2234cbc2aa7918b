"""player: attempts, SCO run-time states, commit log

Revision ID: 0200
Revises: 0001
Create Date: 2026-11-23 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0200"
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "player_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cadre_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("package_version_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("success", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("total_seconds", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("rule_met", sa.Boolean(), nullable=False),
        sa.Column("rule_reasons", sa.JSON(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("number >= 1", name=op.f("ck_player_attempts_number_positive")),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name=op.f("ck_player_attempts_score_range")),
        sa.CheckConstraint("status IN ('not_attempted', 'in_progress', 'completed')",
                           name=op.f("ck_player_attempts_status_valid")),
        sa.ForeignKeyConstraint(["cadre_id"], ["cadres.id"], name=op.f("fk_player_attempts_cadre_id_cadres")),
        sa.ForeignKeyConstraint(["module_id"], ["modules.id"], name=op.f("fk_player_attempts_module_id_modules")),
        sa.ForeignKeyConstraint(["package_version_id"], ["package_versions.id"],
                                name=op.f("fk_player_attempts_package_version_id_package_versions")),
        sa.ForeignKeyConstraint(["record_id"], ["training_records.id"],
                                name=op.f("fk_player_attempts_record_id_training_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_player_attempts")),
        sa.UniqueConstraint("cadre_id", "module_id", "number", name="uq_player_attempts_cadre_module_number"),
    )
    with op.batch_alter_table("player_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_player_attempts_cadre_id"), ["cadre_id"], unique=False)
        batch_op.create_index("ix_player_attempts_module_cadre", ["module_id", "cadre_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_player_attempts_package_version_id"), ["package_version_id"], unique=False)

    op.create_table(
        "player_sco_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("sco_id", sa.String(length=255), nullable=False),
        sa.Column("cmi", sa.JSON(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("session_key", sa.String(length=64), nullable=False),
        sa.Column("session_seconds", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("completion", sa.String(length=16), nullable=False),
        sa.Column("success", sa.String(length=16), nullable=False),
        sa.Column("score_scaled", sa.Float(), nullable=True),
        sa.Column("total_seconds", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("last_seq >= 0", name=op.f("ck_player_sco_states_last_seq_nonneg")),
        sa.ForeignKeyConstraint(["attempt_id"], ["player_attempts.id"],
                                name=op.f("fk_player_sco_states_attempt_id_player_attempts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_player_sco_states")),
        sa.UniqueConstraint("attempt_id", "sco_id", name="uq_player_sco_states_attempt_sco"),
    )

    op.create_table(
        "player_commit_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sco_state_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('stored', 'duplicate', 'stale', 'refused')",
                           name=op.f("ck_player_commit_logs_status_valid")),
        sa.ForeignKeyConstraint(["sco_state_id"], ["player_sco_states.id"],
                                name=op.f("fk_player_commit_logs_sco_state_id_player_sco_states"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_player_commit_logs")),
    )
    with op.batch_alter_table("player_commit_logs", schema=None) as batch_op:
        batch_op.create_index("ix_player_commit_logs_state_seq", ["sco_state_id", "seq"], unique=False)


def downgrade():
    with op.batch_alter_table("player_commit_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_player_commit_logs_state_seq")
    op.drop_table("player_commit_logs")
    op.drop_table("player_sco_states")
    with op.batch_alter_table("player_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_player_attempts_package_version_id"))
        batch_op.drop_index("ix_player_attempts_module_cadre")
        batch_op.drop_index(batch_op.f("ix_player_attempts_cadre_id"))
    op.drop_table("player_attempts")
