package p

func f() {
	x := `a
b`
	_ = x
}
