package p

type List[T any] struct {
	items []T
}

type Number interface {
	~int | ~int64 | ~float64
}

func Map[T any, U comparable](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

func (l *List[T]) Push(v T) { l.items = append(l.items, v) }

func use() {
	ys := Map[int, string](xs, strconv.Itoa)
	fn := (*List[int]).Push
	v := x.(*Store).Get(id)
	h := handlers[name](w, r)
	b := []byte(s)
	_, _, _, _, _ = ys, fn, v, h, b
}
