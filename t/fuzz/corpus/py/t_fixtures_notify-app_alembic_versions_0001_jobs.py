"""jobs table and its progress trigger"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total", sa.Integer, nullable=False),
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION jobs_progress() RETURNS trigger AS $$
        BEGIN
            PERFORM pg_notify('job_progress', json_build_object('id', NEW.id, 'done', NEW.done)::text);
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        """
    )
    op.execute(
        "CREATE TRIGGER jobs_progress_trg AFTER UPDATE ON jobs "
        "FOR EACH ROW EXECUTE FUNCTION jobs_progress();"
    )


def downgrade():
    op.execute("DROP TRIGGER jobs_progress_trg ON jobs")
    op.drop_table("jobs")
