package api

func (h *Handler) create(c *gin.Context) {
	err := h.db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&o).Error; err != nil {
			return err
		}
		return tx.Model(&o).Where("a = ?", 1).Update("b", 2).Error
	})
	if err != nil {
		c.AbortWithStatusJSON(500, gin.H{"error": err.Error()})
		return
	}
	go func(n int) { h.notify(n) }(3)
	defer func() { recover() }()
	c.JSON(200, o)
}

func routes(r chi.Router, mux *http.ServeMux) {
	r.Get("/a", s.list)
	mux.HandleFunc("/b", plain)
	mux.Handle("GET /c/{id}", http.HandlerFunc(plain))
	r.Post("/d", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("x")) })
}

func plain(w http.ResponseWriter, r *http.Request) {}
