package p
func f() {
	g(a, b
	h()
}
}
func k() { if x { } else }
