"""books.stock changes notify the shop front"""
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.execute(
        """
        CREATE FUNCTION books_stock_notify() RETURNS trigger AS $$
        BEGIN
            PERFORM pg_notify('stock', NEW.id::text);
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER books_stock AFTER UPDATE ON books
            FOR EACH ROW EXECUTE FUNCTION books_stock_notify();
        """
    )
