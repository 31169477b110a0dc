package p

const (
	a = 0x1F + 0o17 + 0b1010 + 0755 + 1_000_000
	b = 1.5e-3 + .5 + 1. + 0x1p-2 + 0x1.8P+3
	c = 1i + 2.5i
	r = '\'' + '\n' + '\u00e9' + '\x41' + '\377' + 'é'
	s = "a\"b\\" + `raw
line ` + "//" + `/*`
)

var x = a &^ b<<2 >> 1
var ch = make(chan<- int, 3)

/* general
   comment */ var y = x // line comment
