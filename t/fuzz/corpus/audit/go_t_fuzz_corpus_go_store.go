package store

import (
	"context"
	"database/sql"
)

type Store struct {
	db   *sql.DB
	Name string `json:"name" db:"name"`
}

func (s *Store) Close(ctx context.Context, ids []int64) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE t SET status = 'closed'
			WHERE id = $1`, id); err != nil {
			return err
		}
	}
	rows, err := s.db.QueryContext(ctx, "SELECT id FROM t")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
	}
	return tx.Commit()
}
