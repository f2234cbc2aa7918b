"""assessments: a submitted attempt is first "received" (answers stored), then graded by a job

Revision ID: 0840
Revises: 0830
Create Date: 2026-12-05 02:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0840'
down_revision = '0830'
branch_labels = None
depends_on = None

_WAITING = sa.text("status = 'received'")


def upgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_quiz_attempts_status_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_quiz_attempts_status_valid'),
                                         "status IN ('in_progress', 'received', 'submitted')")
        batch_op.create_index('ix_quiz_attempts_received', ['quiz_id', 'submitted_at'], unique=False,
                              postgresql_where=_WAITING, sqlite_where=_WAITING)


def downgrade():
    # the schema before has no "received": those submissions must be graded first (nothing is dropped)
    waiting = op.get_bind().execute(sa.text("SELECT count(*) FROM quiz_attempts WHERE status = 'received'")).scalar()
    if waiting:
        raise RuntimeError(
            f"{waiting} bài nộp đang chờ chấm: chạy `lms quiz grade-received` rồi hạ phiên bản lại. / "
            f"{waiting} quiz submissions are waiting to be graded: run `lms quiz grade-received`, then downgrade again.")
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_attempts_received')
        batch_op.drop_constraint(op.f('ck_quiz_attempts_status_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_quiz_attempts_status_valid'), "status IN ('in_progress', 'submitted')")
