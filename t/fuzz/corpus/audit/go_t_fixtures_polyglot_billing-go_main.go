package main

import (
	"database/sql"
	"log"
	"net/http"

	_ "github.com/lib/pq"

	"example.org/billing/internal/api"
)

func main() {
	db, err := sql.Open("postgres", "postgres://billing@db/billing?sslmode=disable")
	if err != nil {
		log.Fatal(err)
	}
	h := api.New(db)
	http.HandleFunc("/invoices/text", h.InvoiceText)
	http.HandleFunc("/invoices/tags", h.TagCount)
	log.Fatal(http.ListenAndServe(":8080", nil))
}
