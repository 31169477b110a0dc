package p

func f(x any) (n int, err error) {
outer:
	for i := 0; i < len(xs); i++ {
		switch v := x.(type) {
		case int:
			break outer
		case string, error:
			fmt.Println(v)
			fallthrough
		default:
		}
	}
	select {
	case v := <-ch:
		use(v)
	case <-time.After(time.Second):
	default:
	}
	if err := g(); err != nil {
		return 0, err
	} else if x == nil {
		n++
	} else {
		n--
	}
	for k := range map[string]bool{"x": true} {
		_ = k
	}
	for _, p := range []struct{ a int }{{1}, {2}} {
		_ = p
	}
	{
		goto end
	}
end:
	return
}
