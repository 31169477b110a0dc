package api

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"strings"
)

type Handler struct {
	db *sql.DB
}

func New(db *sql.DB) *Handler {
	return &Handler{db: db}
}

// InvoiceText renders every line of one invoice as plain text.
func (h *Handler) InvoiceText(w http.ResponseWriter, r *http.Request) {
	rows, err := h.db.QueryContext(r.Context(),
		`SELECT sku, qty, cents FROM invoice_lines WHERE invoice_id = $1 ORDER BY sku`, r.URL.Query().Get("id"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	text := "sku qty amount\n"
	for rows.Next() {
		var sku string
		var qty, cents int64
		if err := rows.Scan(&sku, &qty, &cents); err != nil {
			break
		}
		text += fmt.Sprintf("%s %d %d.%02d\n", sku, qty, cents/100, cents%100)
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, text)
}

type tagRequest struct {
	Tags []string
	Raw  string
}

// TagCount counts the tags of a request and how many are billable.
func (h *Handler) TagCount(w http.ResponseWriter, r *http.Request) {
	req := tagRequest{Raw: r.URL.Query().Get("tags"), Tags: r.URL.Query()["tag"]}
	total := len(strings.Split(req.Raw, ","))
	tags := make([]string, len(req.Tags))
	copy(tags, req.Tags)
	billable := 0
	for _, t := range tags {
		if strings.HasPrefix(t, "bill:") {
			billable++
		}
	}
	fmt.Fprintf(w, "%d %d\n", total, billable)
}
