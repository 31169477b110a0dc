"""notify the shelf screens when stock changes

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade():
    # the function first, then the trigger that calls it
    op.execute(
        """
        CREATE OR REPLACE FUNCTION inventory.stock_changed() RETURNS trigger AS $$
        BEGIN
            PERFORM pg_notify('stock_level', NEW.item_id::text);
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        "CREATE TRIGGER stock_items_notify "
        "AFTER INSERT OR UPDATE OF quantity ON inventory.stock_items "
        "FOR EACH ROW EXECUTE FUNCTION inventory.stock_changed()"
    )


def downgrade():
    op.execute("DROP TRIGGER stock_items_notify ON inventory.stock_items")
