"""notify the workshop board when a maintenance ticket changes status

Revision ID: 7c1f0a9d2e44
Revises: 3b9e52c7a1d0
Create Date: 2024-06-12 09:41:07.118203
"""
from alembic import op

revision = "7c1f0a9d2e44"
down_revision = "3b9e52c7a1d0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION notify_ticket_status() RETURNS trigger AS $$
        BEGIN
            PERFORM pg_notify(
                'ticket_status',
                json_build_object('id', NEW.id, 'bike_id', NEW.bike_id, 'status', NEW.status)::text
            );
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        """
    )
    op.execute(
        """
        CREATE TRIGGER maintenance_tickets_status_notify
            AFTER INSERT OR UPDATE OF status ON maintenance_tickets
            FOR EACH ROW EXECUTE FUNCTION notify_ticket_status();
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS maintenance_tickets_status_notify ON maintenance_tickets")
    op.execute("DROP FUNCTION IF EXISTS notify_ticket_status()")
